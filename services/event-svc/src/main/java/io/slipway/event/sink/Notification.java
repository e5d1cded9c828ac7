package io.slipway.event.sink;

import java.util.List;

/**
 * What one send carries: a single event, several for receivers that take batches (bulk APIs, topics, tables), or a
 * digest of events a rate limit held back, which chat receivers render as one message.
 */
public record Notification(List<SinkEvent> events, Digest digest) {

    public Notification {
        events = List.copyOf(events);
    }

    public static Notification of(List<SinkEvent> events) {
        return new Notification(events, null);
    }

    public boolean isDigest() {
        return digest != null;
    }

    /** The only event of a single-event notification. */
    public SinkEvent single() {
        if (events.size() != 1 || isDigest()) {
            throw new IllegalStateException("not a single-event notification: " + events.size() + " event(s)" + (isDigest() ? ", a digest" : ""));
        }
        return events.get(0);
    }
}
