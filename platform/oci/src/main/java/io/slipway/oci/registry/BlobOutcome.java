package io.slipway.oci.registry;

/** What moving one blob took. */
public enum BlobOutcome {
    /** the destination had it already; nothing was sent */
    ALREADY_PRESENT,
    /** the registry linked it from another repository it holds (cross-repository mount); nothing was sent */
    MOUNTED,
    /** its bytes were uploaded */
    UPLOADED,
    /** its bytes were downloaded */
    DOWNLOADED
}
