package io.slipway.embedded;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Apache Kafka broker (KRaft, combined broker and controller) running in a child JVM, so that the
 * broker's Scala, Jackson and log4j jars never meet the caller's classpath. The broker's classpath is the list
 * {@code io/slipway/embedded/kafka-broker.classpath} written at build time (jars in the local Maven repository).
 *
 * <p>Layout of {@code dataDir}: {@code kafka-logs/} (the broker's log dir, formatted on first start),
 * {@code cluster.id}, {@code server.properties} and {@code log4j2.properties} (rewritten on every start),
 * {@code kafka.log} (the broker's output; the previous start's is kept as {@code kafka.log.1}) and
 * {@code kafka.pid}. Topics and records survive stop and start, and a crash too: a broker killed with SIGKILL leaves its
 * log directory's lock to the kernel and its logs to the recovery of the next start. Listener ports are fresh on every
 * start, unless the caller names them (to bring a broker back where its clients look for it).
 */
public final class EmbeddedKafka implements AutoCloseable, ChildProcess {

    private static final String CLASSPATH_RESOURCE = "io/slipway/embedded/kafka-broker.classpath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final Path log;
    private final int port;
    private final int controllerPort;
    private final ServerProcess process;

    private EmbeddedKafka(Path dataDir, Path log, int port, int controllerPort, ServerProcess process) {
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
        this.controllerPort = controllerPort;
        this.process = process;
    }

    /**
     * Starts the broker with its data in {@code dataDir} (formatted when new, reused otherwise) on fresh ports of
     * 127.0.0.1 and waits until it answers requests.
     */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0);
    }

    /**
     * Starts the broker as {@link #start(Path)} does, its client listener on {@code clientPort} of 127.0.0.1 (0: a fresh
     * one), so that a test can restart a broker where its clients expect it; the controller's port is fresh.
     */
    public static EmbeddedKafka start(Path dataDir, int clientPort) {
        int port = clientPort == 0 ? Processes.freePort() : clientPort;
        int controllerPort = Processes.freePort();
        while (controllerPort == port) {
            controllerPort = Processes.freePort();
        }
        return start(dataDir, port, controllerPort);
    }

    /**
     * Starts the broker as {@link #start(Path)} does, listening on {@code port} (clients) and {@code controllerPort}
     * (KRaft) of 127.0.0.1: a broker that died comes back where its clients look for it. Throws when it does not answer,
     * for example because another process holds one of the ports.
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path log = dir.resolve("kafka.log");
        try {
            Files.createDirectories(dir);
            String classpath = brokerClasspath();
            String java = javaBinary();
            Path logDir = dir.resolve("kafka-logs");
            Path props = dir.resolve("server.properties");
            Path log4j = dir.resolve("log4j2.properties");
            stopStale(dir, props);

            Files.writeString(props, serverProperties(logDir, port, controllerPort), StandardCharsets.UTF_8);
            Files.writeString(log4j, LOG4J2, StandardCharsets.UTF_8);
            if (Files.exists(log)) {
                Files.move(log, dir.resolve("kafka.log.1"), StandardCopyOption.REPLACE_EXISTING);
            }

            if (!Files.isRegularFile(logDir.resolve("meta.properties"))) {
                format(java, classpath, dir, props, log4j, log);
            }

            List<String> cmd = jvm(java, classpath, log4j);
            cmd.add("-Xmx512m");
            cmd.add("kafka.Kafka");
            cmd.add(props.toString());
            ServerProcess process = ServerProcess.start("Kafka", new ProcessBuilder(cmd).directory(dir.toFile()), log, null, STOP_TIMEOUT,
                    p -> {
                        try {
                            Files.deleteIfExists(dir.resolve("kafka.pid"));
                        } catch (IOException ignored) {
                            // harmless: the next start checks whether that pid is still a broker on this directory
                        }
                    });
            Files.writeString(dir.resolve("kafka.pid"), Long.toString(process.pid()), StandardCharsets.UTF_8);
            process.awaitReady(START_TIMEOUT, Duration.ofMillis(200), "on " + Processes.LOOPBACK + ":" + port + " (controller port "
                    + controllerPort + ", data " + dir + ")", () -> apiVersions(port));
            return new EmbeddedKafka(dir, log, port, controllerPort, process);
        } catch (IOException e) {
            throw new IllegalStateException(Processes.describeFailure(
                    "could not start Kafka with data directory " + dir + ": " + e, log), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka with data directory " + dir, e);
        }
    }

    /** {@code 127.0.0.1:<port>} of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return Processes.LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public Path logFile() {
        return log;
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** The broker's JVM, a direct child of this one. */
    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return process.onExit();
    }

    /** Stops the broker (SIGTERM, controlled shutdown; SIGKILL after 30 s) and waits until the process is gone. */
    @Override
    public void close() {
        process.close("pid " + process.pid() + ", data " + dataDir);
    }

    /** SIGKILLs the broker, as a crash would, and waits until the process is gone. */
    public void kill() {
        process.kill();
    }

    static void apiVersions(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(Processes.LOOPBACK, port), 1000);
            s.setSoTimeout(2000);
            byte[] clientId = "slipway-embedded-probe".getBytes(StandardCharsets.UTF_8);
            int correlationId = 0x51b0a1;
            var out = new DataOutputStream(s.getOutputStream());
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18); // ApiVersions
            out.writeShort(0);
            out.writeInt(correlationId);
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            var in = new DataInputStream(s.getInputStream());
            int size = in.readInt();
            if (size < 6) {
                throw new IOException("short ApiVersions response (" + size + " bytes)");
            }
            if (in.readInt() != correlationId) {
                throw new IOException("ApiVersions response with a foreign correlation id");
            }
            short error = in.readShort();
            if (error != 0) {
                throw new IOException("ApiVersions answered with error code " + error);
            }
        }
    }

    private static void format(String java, String classpath, Path dir, Path props, Path log4j, Path log)
            throws IOException, InterruptedException {
        Path idFile = dir.resolve("cluster.id");
        String clusterId;
        if (Files.isRegularFile(idFile)) {
            clusterId = Files.readString(idFile, StandardCharsets.UTF_8).trim();
        } else {
            byte[] uuid = new byte[16];
            new SecureRandom().nextBytes(uuid);
            clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(uuid);
            Files.writeString(idFile, clusterId + System.lineSeparator(), StandardCharsets.UTF_8);
        }
        List<String> cmd = jvm(java, classpath, log4j);
        // "--cluster-id=" and not "--cluster-id <id>": a base64url id starts with '-' one time in 64, and the tool's
        // argument parser would take it for an option ("argument --cluster-id: expected one argument")
        cmd.addAll(List.of("-Xmx256m", "kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId,
                "--config", props.toString(), "--ignore-formatted"));
        int rc = Processes.run(cmd, dir, log, Duration.ofMinutes(2));
        if (rc != 0) {
            throw new IOException("formatting the Kafka storage in " + dir.resolve("kafka-logs") + " failed with exit code " + rc);
        }
    }

    private static List<String> jvm(String java, String classpath, Path log4j) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        cmd.add("-cp");
        cmd.add(classpath);
        return cmd;
    }

    private static String serverProperties(Path logDir, int port, int controllerPort) {
        String host = Processes.LOOPBACK;
        return """
                # Written by slipway's EmbeddedKafka on every start (ports change, data stays).
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@%2$s:%4$d
                listeners=PLAINTEXT://%2$s:%3$d,CONTROLLER://%2$s:%4$d
                advertised.listeners=PLAINTEXT://%2$s:%3$d
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                inter.broker.listener.name=PLAINTEXT
                controller.listener.names=CONTROLLER
                log.dirs=%1$s
                num.partitions=3
                default.replication.factor=1
                min.insync.replicas=1
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=10
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                transaction.state.log.num.partitions=10
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                auto.create.topics.enable=true
                group.initial.rebalance.delay.ms=0
                num.network.threads=2
                num.io.threads=4
                background.threads=4
                num.recovery.threads.per.data.dir=2
                log.cleaner.dedupe.buffer.size=16777216
                log.cleaner.threads=1
                """.formatted(logDir, host, port, controllerPort);
    }

    private static final String LOG4J2 = """
            # Written by slipway's EmbeddedKafka: broker output goes to stdout, which is kafka.log in the data directory.
            status = warn
            appender.out.type = Console
            appender.out.name = STDOUT
            appender.out.layout.type = PatternLayout
            appender.out.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.out.ref = STDOUT
            logger.state.name = state.change.logger
            logger.state.level = WARN
            logger.request.name = kafka.request.logger
            logger.request.level = WARN
            logger.config.name = org.apache.kafka.common.config.AbstractConfig
            logger.config.level = WARN
            """;

    /** A broker left running on this directory by a JVM that died without stopping it. */
    private static void stopStale(Path dir, Path props) throws IOException {
        Path pidFile = dir.resolve("kafka.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            Processes.aliveWithMarker(pid, props.toString()).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    Processes.killAndWait(h, Duration.ofSeconds(10));
                }
            });
        } catch (NumberFormatException ignored) {
            // garbage pid file
        }
        Files.deleteIfExists(pidFile);
    }

    private static String brokerClasspath() throws IOException {
        String text;
        try (InputStream in = EmbeddedKafka.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + CLASSPATH_RESOURCE + " is missing: slipway-embedded was not built"
                        + " by Maven (it is written by maven-dependency-plugin:build-classpath)");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        List<String> missing = new ArrayList<>();
        for (String entry : text.split(File.pathSeparator)) {
            if (!entry.isBlank() && !Files.isRegularFile(Path.of(entry))) {
                missing.add(entry);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("the Kafka broker's jars are not in the local Maven repository (" + missing.size()
                    + " missing, e.g. " + missing.getFirst() + "); run ./mvnw -pl platform/embedded -am install");
        }
        return text;
    }

    /** The java binary running this JVM (falling back to {@code java.home} when this JVM was started by a launcher). */
    private static String javaBinary() {
        var self = ProcessHandle.current().info().command().map(Path::of)
                .filter(p -> p.getFileName().toString().matches("java(\\.exe)?") && Files.isExecutable(p));
        if (self.isPresent()) {
            return self.get().toString();
        }
        Path home = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(home)) {
            return home.toString();
        }
        throw new IllegalStateException("cannot tell which java binary runs this JVM (no java under " + home + ")");
    }
}
