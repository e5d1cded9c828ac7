package io.slipway.cli.dist;

import io.slipway.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A runtime image of a JDK cut down to some modules with {@code jlink}, kept in a cache directory under a name derived
 * from the JDK's {@code release} file and the module list, so a rebuild with the same JDK reuses it (jlink takes
 * seconds). JDKs without {@code jmods/} (Temurin 24 and newer link from their own runtime, JEP 493) work as well.
 */
final class Jlink {

    private Jlink() {
    }

    /** The JDK's release properties: {@code JAVA_VERSION}, {@code OS_ARCH}, ... (values unquoted). */
    static Properties release(Path jdk) {
        Path file = jdk.resolve("release");
        Properties p = new Properties();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    p.setProperty(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replaceAll("^\"|\"$", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (is " + jdk + " a JDK?): " + e.getMessage(), e);
        }
        return p;
    }

    /** The runtime image for {@code modules} made from {@code jdk}, from the cache or linked now. */
    static Path runtime(Path jdk, List<String> modules, Path cacheDir) throws IOException {
        Path jlink = jdk.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IllegalArgumentException(jdk + " has no bin/jlink: give a JDK (not a JRE) with --jdk");
        }
        String key = Digest.of((Files.readString(jdk.resolve("release")) + "\n" + jdk.toRealPath() + "\n"
                + String.join(",", modules)).getBytes(StandardCharsets.UTF_8)).shortHex();
        Path target = cacheDir.resolve("jre-" + key);
        if (Files.isRegularFile(target.resolve("release"))) {
            return target;
        }
        Files.createDirectories(cacheDir);
        // a fresh directory per attempt: jlink removes its output when it fails, and a killed run's stays aside
        Path partial = Files.createTempDirectory(cacheDir, "jre-" + key + "-").resolve("jre");
        List<String> cmd = new ArrayList<>(List.of(jlink.toString(), "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--output", partial.toString()));
        Path log = Files.createTempFile(cacheDir, "jlink-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("jlink did not finish within 5 minutes: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IOException("jlink failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n"
                        + Files.readString(log).strip());
            }
            Files.move(partial, target);
            Files.delete(partial.getParent());
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running jlink", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The JDK this command runs on, when it has jlink. */
    static Optional<Path> current() {
        Path home = Path.of(System.getProperty("java.home"));
        return Files.isExecutable(home.resolve("bin/jlink")) ? Optional.of(home) : Optional.empty();
    }
}
