package io.slipway.imagescan;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An image that could not be resolved, or an input that could not be read.
 *
 * @param file    the file at fault, or null for an image given directly in the scan input
 * @param line    1-based line in {@code file}, 0 when unknown
 * @param message what is wrong, naming the object and YAML path or the helm error where there is one
 */
public record Problem(Path file, int line, String message) implements Comparable<Problem> {

    private static final Comparator<Problem> ORDER = Comparator
            .comparing((Problem p) -> p.file == null ? "" : p.file.toString())
            .thenComparingInt(Problem::line)
            .thenComparing(Problem::message);

    /** A problem at an origin; its object and YAML path lead the message. */
    static Problem at(Origin origin, String message) {
        String where = Stream.of(origin.object(), origin.yamlPath())
                .filter(Objects::nonNull)
                .collect(Collectors.joining(" "));
        return new Problem(origin.file(), origin.line(), where.isEmpty() ? message : where + ": " + message);
    }

    @Override
    public int compareTo(Problem other) {
        return ORDER.compare(this, other);
    }

    /** {@code file:line: message}, the way compilers report. */
    @Override
    public String toString() {
        String where = file == null ? "scan input" : file.toString();
        return (line > 0 ? where + ":" + line : where) + ": " + message;
    }
}
