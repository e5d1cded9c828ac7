package io.slipway.k8s;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code kubectl kustomize}, the one renderer both a developer's kubectl (kustomize v5) and Debian's kubernetes-client
 * 1.20 (kustomize v2.0.3) have. {@code SLIPWAY_KUBECTL} names another kubectl binary, so that both can be tried.
 */
final class Kustomize {
    private static final long TIMEOUT_S = 60;

    private Kustomize() {
    }

    /** The kubectl to render with: {@code SLIPWAY_KUBECTL}, else the first on the PATH. */
    static Optional<Path> kubectl() {
        String named = System.getenv("SLIPWAY_KUBECTL");
        if (named != null && !named.isBlank()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The objects of the kustomization in {@code dir}, as kubectl prints them (multi-document YAML). */
    static String render(Path kubectl, Path dir) {
        return run(kubectl, List.of("kustomize", dir.toString()));
    }

    /** What {@code kubectl version --client} says, for messages: which kustomize rendered. */
    static String version(Path kubectl) {
        return run(kubectl, List.of("version", "--client")).strip().replace('\n', ' ');
    }

    private static String run(Path kubectl, List<String> args) {
        Path errors = null;
        try {
            errors = Files.createTempFile("kubectl", ".err");
            List<String> command = Stream.concat(Stream.of(kubectl.toString()), args.stream()).toList();
            Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(errors).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + kubectl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + kubectl, e);
        } finally {
            if (errors != null) {
                try {
                    Files.deleteIfExists(errors);
                } catch (IOException e) {
                    // a temp file left behind; the answer stands
                }
            }
        }
    }
}
