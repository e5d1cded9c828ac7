package io.slipway.imagescan;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * Where an image was named: a manifest, a chart template, an imageList file or the scan input itself.
 *
 * @param file     the file, or null for an image given directly in {@link ScanInput#images()}
 * @param line     1-based line in {@code file}, 0 when unknown (helm renders a chart in memory, so a
 *                 rendered image has its template file but no line in it)
 * @param object   the Kubernetes object holding the image, {@code Kind/name}, or null outside manifests
 * @param yamlPath where in that object, for example {@code spec.template.spec.containers[0].image};
 *                 null outside manifests
 */
public record Origin(Path file, int line, String object, String yamlPath) implements Comparable<Origin> {

    private static final Comparator<Origin> ORDER = Comparator
            .comparing((Origin o) -> o.file == null ? "" : o.file.toString())
            .thenComparingInt(Origin::line)
            .thenComparing(o -> o.object == null ? "" : o.object)
            .thenComparing(o -> o.yamlPath == null ? "" : o.yamlPath);

    /** The origin of images named directly in the scan input. */
    public static Origin input() {
        return new Origin(null, 0, null, null);
    }

    /** A line of a plain file such as an imageList. */
    public static Origin line(Path file, int line) {
        return new Origin(file, line, null, null);
    }

    @Override
    public int compareTo(Origin other) {
        return ORDER.compare(this, other);
    }

    /** {@code file:line Kind/name yaml.path}, leaving out what is unknown. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(file == null ? "scan input" : file.toString());
        if (line > 0) {
            text.append(':').append(line);
        }
        if (object != null) {
            text.append(' ').append(object);
        }
        if (yamlPath != null) {
            text.append(' ').append(yamlPath);
        }
        return text.toString();
    }
}
