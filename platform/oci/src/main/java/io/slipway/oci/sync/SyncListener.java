package io.slipway.oci.sync;

/** Hears each image of a sync job as it is decided; called from job threads, concurrently. */
public interface SyncListener {

    SyncListener NONE = new SyncListener() {
    };

    default void synced(SyncReport.Entry entry) {
    }

    default void skipped(SyncReport.Entry entry) {
    }

    default void failed(SyncReport.Entry entry) {
    }
}
