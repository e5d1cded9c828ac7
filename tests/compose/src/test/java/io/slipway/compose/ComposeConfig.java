package io.slipway.compose;

import io.slipway.yaml.YamlNode;
import io.slipway.yaml.YamlReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A compose file as {@code docker-compose config} renders it: variables substituted from the env file, anchors and
 * merge keys resolved, the file validated against the Compose schema. Nothing is started and no engine is asked.
 */
final class ComposeConfig {
    private static final long TIMEOUT_SECONDS = 60;

    private final YamlNode root;

    private ComposeConfig(YamlNode root) {
        this.root = root;
    }

    /** Debian's {@code docker-compose} (1.29, package docker-compose) on the PATH, if there is one. */
    static Optional<Path> binary() {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "docker-compose")).filter(Files::isExecutable).findFirst();
    }

    /**
     * Renders {@code file} with {@code envFile}. The environment is emptied but for PATH: a variable of the shell that
     * runs the build would win over the env file and change what is checked.
     */
    static ComposeConfig render(Path binary, Path file, Path envFile) throws IOException, InterruptedException {
        Result r = run(binary, file, envFile);
        if (r.exitCode != 0) {
            throw new AssertionError("docker-compose config of " + file + " with " + envFile + " failed (exit " + r.exitCode + "): " + r.errors);
        }
        return new ComposeConfig(YamlReader.lenient().read(r.output));
    }

    /** What {@code docker-compose config} answers, without judging it: a refusal is a test's subject too. */
    static Result run(Path binary, Path file, Path envFile) throws IOException, InterruptedException {
        Path out = Files.createTempFile("compose-config", ".yml");
        Path err = Files.createTempFile("compose-config", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-f", file.toString(), "--env-file", envFile.toString(), "config")
                    .directory(file.toAbsolutePath().getParent().toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().keySet().retainAll(java.util.Set.of("PATH"));
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("docker-compose config of " + file + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    record Result(int exitCode, String output, String errors) {
    }

    /** The services by name. */
    Map<String, YamlNode> services() {
        return root.get("services").entries();
    }

    YamlNode service(String name) {
        YamlNode s = services().get(name);
        if (s == null) {
            throw new AssertionError("no service " + name + " in the compose file (it has " + services().keySet() + ")");
        }
        return s;
    }

    /** A service's environment, name to value (the rendered file writes it as a map). */
    Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        YamlNode environment = service(service).get("environment");
        if (environment == null) {
            return env;
        }
        environment.entries().forEach((k, v) -> env.put(k, v.isNull() ? "" : v.scalar()));
        return env;
    }

    /** The top-level named volumes. */
    java.util.Set<String> namedVolumes() {
        YamlNode volumes = root.get("volumes");
        return volumes == null ? java.util.Set.of() : volumes.entries().keySet();
    }
}
