package io.slipway.event.route;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One version of the routing document as stored: its number (versions only grow), the document as written (opened,
 * secrets included: never logged or shown), its keyed digest, who wrote it ({@code file:<path>} for an import of the
 * routes file) and when.
 */
public record StoredRoutes(long version, String text, String digest, String changedBy, Instant changedAt) {

    /** What {@code changedBy} says of a document imported from {@code file}. */
    public static String importedFrom(Path file) {
        return "file:" + file;
    }

    /** Whether {@code changedBy} names an import from a routes file rather than an operator. */
    public static boolean isImport(String changedBy) {
        return changedBy.startsWith("file:");
    }

    @Override
    public String toString() {
        return "routes version " + version + " by " + changedBy + " at " + changedAt; // never the document
    }
}
