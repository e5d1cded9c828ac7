package io.slipway.oci.registry;

import io.slipway.oci.Descriptor;

import java.util.Map;

/** What a push or pull did: the root manifest or index it moved, and how each blob got there. */
public record TransferResult(Descriptor root, Map<BlobOutcome, Integer> blobs, long bytesTransferred) {

    public TransferResult {
        blobs = Map.copyOf(blobs);
    }

    public int count(BlobOutcome outcome) {
        return blobs.getOrDefault(outcome, 0);
    }
}
