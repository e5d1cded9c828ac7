package io.slipway.cli.stack;

import io.slipway.embedded.ChildProcess;
import io.slipway.embedded.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One service running as a child JVM of the stack, its output in its log file. */
public final class ServiceProcess implements ChildProcess {
    static final String LOOPBACK = "127.0.0.1";
    /** Small heaps and the C1 compiler only: five services must start quickly side by side on a laptop. */
    /** build-svc renders helm charts through helm-java's native library, which needs native access (JDK 24+ warns). */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", "--enable-native-access=ALL-UNNAMED");
    /** The services sit behind the gateway: links they build (Location) point at the gateway's host and port. */
    private static final List<String> BEHIND_GATEWAY = List.of("-Dquarkus.http.proxy.proxy-address-forwarding=true",
            "-Dquarkus.http.proxy.allow-x-forwarded=true", "-Dquarkus.http.proxy.enable-forwarded-host=true",
            "-Dquarkus.http.proxy.trusted-proxies=127.0.0.1");

    /** How to reach the infrastructure every service needs. */
    public record Infra(String bootstrapServers, String dbHost, int dbPort, String dbUser, String dbPassword, Path publicKey) {
    }

    private final ServiceSpec spec;
    private final int port;
    private final Path log;
    private final Process process;
    private final CompletableFuture<Integer> exit;

    /** A process started otherwise (a test's stand-in for a service). */
    static ServiceProcess of(ServiceSpec spec, int port, Path log, Process process) {
        return new ServiceProcess(spec, port, log, process);
    }

    private ServiceProcess(ServiceSpec spec, int port, Path log, Process process) {
        this.spec = spec;
        this.port = port;
        this.log = log;
        this.process = process;
        this.exit = Processes.exitOf(process);
    }

    /**
     * Launches the service's {@code quarkus-run.jar} on {@code port}; returns at once (see {@link #isHealthy}). A restarted
     * service is launched on the port it had, so the gateway's route to it holds.
     */
    public static ServiceProcess launch(ServiceSpec spec, Path jar, Infra infra, Path dataDir, List<String> extraJvmOptions, Path log,
                                        int port) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(spec.name() + " is not packaged: " + jar + " is missing (run ./mvnw -B -q install -DskipTests)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(classDataSharing(jar));
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.http.host=" + LOOPBACK);
        cmd.addAll(BEHIND_GATEWAY);
        cmd.add("-Dslipway.kafka.bootstrap-servers=" + infra.bootstrapServers());
        cmd.add("-Dslipway.db.host=" + infra.dbHost());
        cmd.add("-Dslipway.db.port=" + infra.dbPort());
        cmd.add("-Dslipway.db.name=" + spec.domain());
        cmd.add("-Dslipway.db.user=" + infra.dbUser());
        cmd.add("-Dmp.jwt.verify.publickey.location=" + infra.publicKey().toAbsolutePath());
        cmd.add("-Dslipway.data-dir=" + dataDir.toAbsolutePath());
        cmd.addAll(withSecretsInFile(extraJvmOptions, dataDir.resolve(SECRET_OPTIONS)));
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "=== slipway: starting " + spec.name() + " on " + LOOPBACK + ":" + port + " ===" + System.lineSeparator()
                            + printable(cmd) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(cmd).directory(jar.getParent().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // In the environment, not on the command line: `ps` and the log above show every argument.
            builder.environment().put("SLIPWAY_DB_PASSWORD", infra.dbPassword());
            Process process = builder.start();
            return new ServiceProcess(spec, port, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + spec.name() + " (" + printable(cmd) + "): " + e.getMessage(), e);
        }
    }

    private static final java.util.regex.Pattern SECRET_PROPERTY =
            java.util.regex.Pattern.compile("(-D[^=]*(?i:password|passwd|secret|token|credential|private)[^=]*=).*");

    /**
     * A dynamic class-data archive beside the service's jar, made when the service first stops and mapped at every later
     * start: a Quarkus service loads some ten thousand classes, and mapping them from the archive shortens its start on
     * this project's 2-core machines ({@code bench/stack-start} measures it). The JVM checks the archive against the jar
     * and itself and makes it again when either changed; one archive per JDK feature release, so two JDKs do not take
     * turns rewriting it. {@code SLIPWAY_SERVICE_CDS=off} starts without (the benchmark's baseline).
     */
    static List<String> classDataSharing(Path jar) {
        if ("off".equalsIgnoreCase(System.getenv("SLIPWAY_SERVICE_CDS"))) {
            return List.of();
        }
        Path archive = jar.toAbsolutePath().getParent().resolve("slipway-cds-jdk" + Runtime.version().feature() + ".jsa");
        return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive);
    }

    /** The file, in a service's data directory, that holds the secret options it was given (0600). */
    static final String SECRET_OPTIONS = "secret-options.properties";

    /**
     * {@code options} with every {@code -D} option that names a secret (a git token given with --service-jvm-option)
     * moved into {@code file} (written 0600, read by the service as a config location): a command line is what
     * {@code ps} shows every user of the machine. Other options, and an existing {@code quarkus.config.locations}, stay.
     */
    static List<String> withSecretsInFile(List<String> options, Path file) {
        java.util.Properties secrets = new java.util.Properties();
        List<String> out = new ArrayList<>();
        String locations = null;
        for (String o : options) {
            if (SECRET_PROPERTY.matcher(o).matches()) {
                int eq = o.indexOf('=');
                secrets.setProperty(o.substring(2, eq), o.substring(eq + 1));
            } else if (o.startsWith("-Dquarkus.config.locations=")) {
                locations = o.substring("-Dquarkus.config.locations=".length());
            } else {
                out.add(o);
            }
        }
        try {
            Files.deleteIfExists(file);
            if (secrets.isEmpty()) {
                if (locations != null) {
                    out.add("-Dquarkus.config.locations=" + locations);
                }
                return out;
            }
            Files.createDirectories(file.getParent());
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                secrets.store(w, "secret options of this service, out of its command line");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        String own = file.toAbsolutePath().toUri().toString();
        out.add("-Dquarkus.config.locations=" + (locations == null ? own : locations + "," + own));
        return out;
    }

    /** The command line as the log shows it: a {@code -D} option that names a secret (a git token given with --service-jvm-option) is masked. */
    static String printable(List<String> cmd) {
        return String.join(" ", cmd.stream().map(a -> SECRET_PROPERTY.matcher(a).replaceFirst("$1******")).toList());
    }

    /** {@code GET /q/health} answers 200 with status UP. */
    public static boolean isHealthy(HttpClient client, URI baseUrl) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(baseUrl.resolve("/q/health"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public ServiceSpec spec() {
        return spec;
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://" + LOOPBACK + ":" + port);
    }

    public Path log() {
        return log;
    }

    @Override
    public Path logFile() {
        return log;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit.copy();
    }

    /** Asks the service to stop (SIGTERM) without waiting. */
    public void requestStop() {
        process.destroy();
    }

    /** Waits until the service has exited, killing it (and anything it started) after {@code grace}. */
    public void awaitStop(Duration grace) {
        Processes.awaitExitOrKill(process.toHandle(), grace);
    }

    /** The last lines of the service's log, for error messages. */
    public String logTail(int lines) {
        return Processes.tail(log, lines);
    }

    /** The java binary running this JVM, so the services run on the same JDK as the CLI. */
    static String javaBinary() {
        Path bin = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(bin) ? bin.toString() : "java";
    }
}
