package io.slipway.cloudimage.layer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A path inside the image's root filesystem in layer form: relative, '/'-separated, normalized, "" for the root.
 *
 * @param path          the normalized path
 * @param trailingSlash whether the user wrote it as a directory ({@code manifests/}, {@code .}, {@code /})
 */
public record ImagePath(String path, boolean trailingSlash) {

    /**
     * Normalizes a path as written in the Kubefile ({@code /bin}, {@code manifests/}, {@code ./x/../y}); empty when it
     * climbs above the root.
     */
    public static Optional<ImagePath> of(String written) {
        boolean dir = written.isEmpty() || written.endsWith("/") || written.equals(".") || written.endsWith("/.");
        return normalize(written).map(p -> new ImagePath(p, dir || p.isEmpty()));
    }

    /** Lexical normalization ('.' and '..' resolved, no leading or trailing '/'); empty when '..' climbs above root. */
    public static Optional<String> normalize(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (parts.isEmpty()) {
                    return Optional.empty();
                }
                parts.removeLast();
            } else {
                parts.addLast(segment);
            }
        }
        return Optional.of(String.join("/", parts));
    }

    /** {@code name} inside this path. */
    public String child(String name) {
        return path.isEmpty() ? name : path + "/" + name;
    }
}
