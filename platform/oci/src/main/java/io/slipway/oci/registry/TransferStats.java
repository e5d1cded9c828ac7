package io.slipway.oci.registry;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of what a registry client really did, so callers (and tests) can tell uploads from skips and mounts. */
public final class TransferStats {

    private final AtomicLong blobsUploaded = new AtomicLong();
    private final AtomicLong bytesUploaded = new AtomicLong();
    private final AtomicLong blobsMounted = new AtomicLong();
    private final AtomicLong blobsAlreadyPresent = new AtomicLong();
    private final AtomicLong blobsDownloaded = new AtomicLong();
    private final AtomicLong bytesDownloaded = new AtomicLong();
    private final AtomicLong manifestsPushed = new AtomicLong();
    private final AtomicLong tokensFetched = new AtomicLong();

    /** A consistent-enough copy of the counters at this instant. */
    public Snapshot snapshot() {
        return new Snapshot(blobsUploaded.get(), bytesUploaded.get(), blobsMounted.get(), blobsAlreadyPresent.get(),
                blobsDownloaded.get(), bytesDownloaded.get(), manifestsPushed.get(), tokensFetched.get());
    }

    void uploaded(long bytes) {
        blobsUploaded.incrementAndGet();
        bytesUploaded.addAndGet(bytes);
    }

    void mounted() {
        blobsMounted.incrementAndGet();
    }

    void alreadyPresent() {
        blobsAlreadyPresent.incrementAndGet();
    }

    void downloaded(long bytes) {
        blobsDownloaded.incrementAndGet();
        bytesDownloaded.addAndGet(bytes);
    }

    void manifestPushed() {
        manifestsPushed.incrementAndGet();
    }

    void tokenFetched() {
        tokensFetched.incrementAndGet();
    }

    /** Counter values; {@link #minus} gives what happened between two snapshots. */
    public record Snapshot(long blobsUploaded, long bytesUploaded, long blobsMounted, long blobsAlreadyPresent,
                           long blobsDownloaded, long bytesDownloaded, long manifestsPushed, long tokensFetched) {

        public Snapshot minus(Snapshot earlier) {
            return new Snapshot(blobsUploaded - earlier.blobsUploaded, bytesUploaded - earlier.bytesUploaded,
                    blobsMounted - earlier.blobsMounted, blobsAlreadyPresent - earlier.blobsAlreadyPresent,
                    blobsDownloaded - earlier.blobsDownloaded, bytesDownloaded - earlier.bytesDownloaded,
                    manifestsPushed - earlier.manifestsPushed, tokensFetched - earlier.tokensFetched);
        }
    }
}
