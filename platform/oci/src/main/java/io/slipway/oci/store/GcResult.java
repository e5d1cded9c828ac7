package io.slipway.oci.store;

/** What a garbage collection removed. */
public record GcResult(int blobsRemoved, long bytesFreed) {
}
