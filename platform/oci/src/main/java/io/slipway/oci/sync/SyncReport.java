package io.slipway.oci.sync;

import io.slipway.oci.Digest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a sync job did: images synced, skipped (already at the destination, or nothing matched) and failed with the
 * reason, plus how blobs got to their destinations.
 */
public record SyncReport(List<Entry> synced, List<Entry> skipped, List<Entry> failed, BlobCounts blobs, Duration took) {

    public SyncReport {
        synced = List.copyOf(synced);
        skipped = List.copyOf(skipped);
        failed = List.copyOf(failed);
    }

    /** One image (or one rule, when it failed before any image was known) and what happened to it. */
    public record Entry(String source, String destination, Digest digest, String detail) {
        @Override
        public String toString() {
            return source + " -> " + destination + (digest == null ? "" : " (" + digest.shortHex() + ")")
                    + (detail == null ? "" : ": " + detail);
        }
    }

    /** Blob copies per destination repository: uploaded (with bytes), mounted, already present. */
    public record BlobCounts(int uploaded, long bytesUploaded, int mounted, int alreadyPresent) {
    }

    public boolean succeeded() {
        return failed.isEmpty();
    }

    /** A few lines for a log or the CLI. */
    public String summary() {
        List<String> lines = new ArrayList<>();
        lines.add("synced " + synced.size() + ", skipped " + skipped.size() + ", failed " + failed.size() + " in "
                + took.toMillis() + " ms; blobs uploaded " + blobs.uploaded() + " (" + blobs.bytesUploaded() + " bytes), mounted "
                + blobs.mounted() + ", already present " + blobs.alreadyPresent());
        failed.forEach(f -> lines.add("FAILED " + f));
        return String.join(System.lineSeparator(), lines);
    }

    @Override
    public String toString() {
        return summary();
    }
}
