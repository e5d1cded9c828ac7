package io.slipway.cli.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Copies host files into a layer at the same paths, with every symbolic link on the way recreated as a link: a program
 * names its dynamic loader {@code /lib64/ld-linux-x86-64.so.2} and finds libraries under {@code /lib/x86_64-linux-gnu},
 * which on a merged-/usr host are links into {@code /usr}, so the image must have the links and what they point at.
 */
final class HostPaths {

    /** Enough for any real chain; more means a loop. */
    private static final int MAX_LINKS = 40;

    private final Path hostRoot;
    private final LayerContent layer;

    HostPaths(Path hostRoot, LayerContent layer) {
        this.hostRoot = hostRoot;
        this.layer = layer;
    }

    /** Adds the host's {@code absolutePath} (a regular file in the end) and every link that leads to it. */
    void add(String absolutePath) throws IOException {
        add(absolutePath, 0);
    }

    private void add(String absolutePath, int depth) throws IOException {
        if (depth > MAX_LINKS) {
            throw new IOException("too many symbolic links resolving " + absolutePath + " on this host");
        }
        String resolved = "";
        String[] parts = absolutePath.split("/");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            String candidate = resolved + "/" + part;
            Path host = onHost(candidate);
            if (Files.isSymbolicLink(host)) {
                String target = Files.readSymbolicLink(host).toString();
                if (!layer.contains(candidate)) {
                    layer.symlink(candidate, target);
                }
                String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i + 1, parts.length));
                String next = target.startsWith("/") ? target : resolved + "/" + target;
                add(normalize(next) + (rest.isEmpty() ? "" : "/" + rest), depth + 1);
                return;
            }
            resolved = candidate;
        }
        Path host = onHost(resolved);
        if (!Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(absolutePath + " is not a regular file on this host");
        }
        if (!layer.contains(resolved)) {
            layer.file(resolved, host);
        }
    }

    private Path onHost(String absolute) {
        return hostRoot.resolve(absolute.substring(1));
    }

    /** Removes {@code .} and {@code ..} segments of an absolute path textually ({@code ..} at the root stays there). */
    static String normalize(String absolute) {
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (String part : absolute.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(part);
            }
        }
        return "/" + String.join("/", out);
    }
}
