package io.slipway.testkit;

import io.slipway.embedded.EmbeddedKafka;
import io.slipway.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The one Kafka broker and PostgreSQL server of a test JVM, started on first use on free ports in a private temp
 * directory and removed at exit. {@code -Dslipway.infra=testcontainers} uses containers instead where Docker runs.
 * Their coordinates are kept in system properties: Quarkus loads this class more than once (one class loader per
 * application start), and every copy must find the same servers.
 */
public final class SlipwayInfra {
    /** Not under {@code slipway.}: that prefix is the services' typed configuration, which rejects unknown keys. */
    private static final String PREFIX = "slipwaytestkit.";

    private SlipwayInfra() {
    }

    public static Infra get() {
        Properties jvm = System.getProperties();
        synchronized (jvm) {
            if (jvm.getProperty(PREFIX + "bootstrap") == null) {
                Infra started = "testcontainers".equals(System.getProperty("slipway.infra")) ? ContainerInfra.start() : embedded();
                jvm.setProperty(PREFIX + "db.host", started.dbHost());
                jvm.setProperty(PREFIX + "db.port", String.valueOf(started.dbPort()));
                jvm.setProperty(PREFIX + "db.user", started.dbUser());
                jvm.setProperty(PREFIX + "db.password", started.dbPassword());
                jvm.setProperty(PREFIX + "bootstrap", started.bootstrapServers());
            }
            return new Infra(jvm.getProperty(PREFIX + "bootstrap"), jvm.getProperty(PREFIX + "db.host"),
                    Integer.parseInt(jvm.getProperty(PREFIX + "db.port")), jvm.getProperty(PREFIX + "db.user"),
                    jvm.getProperty(PREFIX + "db.password"));
        }
    }

    private static Infra embedded() {
        try {
            Path dir = Files.createTempDirectory("slipway-test-infra");
            EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            EmbeddedPostgres postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                kafka.close();
                postgres.close();
                deleteTree(dir);
            }, "slipway-test-infra-stop"));
            return new Infra(kafka.bootstrapServers(), postgres.host(), postgres.port(), postgres.user(), postgres.password());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is under the system temp dir
        }
    }
}
