package io.slipway.oci.registry;

import io.slipway.oci.Descriptor;

/** Progress of a push or pull, for progress bars and build logs; called from transfer threads, concurrently. */
public interface TransferListener {

    TransferListener NONE = new TransferListener() {
    };

    default void blobStarted(Descriptor blob) {
    }

    /** {@code done} of {@code total} bytes of this blob moved so far (it may go back when a broken transfer restarts). */
    default void blobProgress(Descriptor blob, long done, long total) {
    }

    default void blobFinished(Descriptor blob, BlobOutcome outcome) {
    }

    /** A manifest or index was stored at the destination under {@code reference} (a tag or a digest). */
    default void manifestStored(Descriptor manifest, String reference) {
    }
}
