package io.slipway.testkit;

import io.slipway.embedded.EmbeddedKafka;
import io.slipway.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The one Kafka broker and PostgreSQL server of a test JVM, started on first use on free ports in a private temp
 * directory and removed at exit. {@code -Dslipway.infra=testcontainers} uses containers instead where Docker runs.
 */
public final class SlipwayInfra {
    private static Infra instance;

    private SlipwayInfra() {
    }

    public static synchronized Infra get() {
        if (instance == null) {
            instance = "testcontainers".equals(System.getProperty("slipway.infra")) ? ContainerInfra.start() : embedded();
        }
        return instance;
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
            return new Infra() {
                @Override
                public String bootstrapServers() {
                    return kafka.bootstrapServers();
                }

                @Override
                public String dbHost() {
                    return postgres.host();
                }

                @Override
                public int dbPort() {
                    return postgres.port();
                }

                @Override
                public String dbUser() {
                    return postgres.user();
                }

                @Override
                public String dbPassword() {
                    return postgres.password();
                }

                @Override
                public void createDatabaseIfMissing(String name) {
                    postgres.createDatabaseIfMissing(name);
                }
            };
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
