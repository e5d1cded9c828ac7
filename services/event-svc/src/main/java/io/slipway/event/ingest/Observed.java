package io.slipway.event.ingest;

import java.util.UUID;

/**
 * Something a stream read, in the order it read it: an Event (ADDED or MODIFIED by a watch, or an item of a list),
 * or a mere position (a BOOKMARK, a DELETED event, the end of a list). {@code resumeAt} is the resourceVersion a
 * watch may resume from once this and everything before it is handled; list items have none, since a list is not
 * ordered by resourceVersion. {@code id} is the occurrence's event id, computed by the stream's thread, so that the
 * cluster's single publisher thread does not.
 */
record Observed(StreamKey stream, long seq, Occurrence occurrence, UUID id, String resumeAt, Origin origin, long receivedNanos) {

    enum Origin {
        /** a live watch event */
        WATCH,
        /** an item of the list made when the stream had no checkpoint */
        FIRST_LIST,
        /** an item of a list made after the watch's resourceVersion expired (410 Gone) */
        RELIST
    }

    boolean listed() {
        return origin != Origin.WATCH;
    }
}
