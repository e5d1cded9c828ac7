package io.slipway.cli.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The git commit the images are built from, recorded in their labels: {@code revision} is {@code git rev-parse HEAD};
 * {@code dirty} when the work tree had uncommitted changes (the images then hold more than that commit); {@code origin}
 * the URL of the remote {@code origin}, when there is one.
 */
record SourceRevision(String revision, boolean dirty, Optional<String> origin) {

    /** The short form used as a second tag: 12 hex digits, with {@code -dirty} when the tree was not clean. */
    String shortTag() {
        return revision.substring(0, Math.min(12, revision.length())) + (dirty ? "-dirty" : "");
    }

    static SourceRevision of(Path home) {
        String head = git(home, "rev-parse", "HEAD").orElseThrow(() -> new IllegalStateException("cannot read the git revision of "
                + home + " (git rev-parse HEAD failed): the images' labels name the commit they were built from"));
        boolean dirty = git(home, "status", "--porcelain", "--untracked-files=no").map(s -> !s.isBlank()).orElse(true);
        return new SourceRevision(head, dirty, git(home, "remote", "get-url", "origin").filter(s -> !s.isBlank()));
    }

    private static Optional<String> git(Path dir, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
