package io.slipway.event.sink;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

/** What a receiver made of one event, in its own terms (DingTalk's errcode, Slack's 429, a bulk item's status). */
public sealed interface Outcome {

    /** The receiver has the event. */
    record Delivered() implements Outcome {
    }

    /**
     * Not now: the receiver is down, busy or rate limiting; try again after the backoff, or after {@code after} when
     * the receiver said how long (Retry-After).
     */
    record Retry(String reason, Duration after) implements Outcome {
    }

    /** Never: the receiver refused this event for good (bad signature, invalid document); retrying cannot help. */
    record Rejected(String reason) implements Outcome {
    }

    Outcome DELIVERED = new Delivered();

    static Outcome retry(String reason) {
        return new Retry(reason, null);
    }

    static Outcome rejected(String reason) {
        return new Rejected(reason);
    }

    /** The same outcome for every event of a notification. */
    static List<Outcome> forAll(Outcome outcome, int events) {
        return Collections.nCopies(events, outcome);
    }
}
