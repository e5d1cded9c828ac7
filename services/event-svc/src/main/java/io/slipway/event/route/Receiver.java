package io.slipway.event.route;

import java.time.Duration;
import java.util.List;

/**
 * A named destination of events: where it is ({@link Target}) and how delivery to it behaves. The name is also its
 * Kafka consumer group ({@code slipway-sink-<name>}) and its dead-letter topic ({@code <events topic>.<name>.dlq}), so
 * it is restricted to lower-case letters, digits and dashes.
 */
public record Receiver(String name, Target target, Policy policy) {

    /** How events reach the receiver: retries, rate limits and digests, where a new receiver starts reading. */
    public record Policy(Retry retry, List<RateLimit> rateLimits, Digest digest, boolean fromEarliest, Duration timeout, int batchSize) {
        public Policy {
            rateLimits = List.copyOf(rateLimits);
        }
    }

    /**
     * How long one event is retried before it goes to the receiver's dead-letter topic: until {@code maxAttempts}
     * attempts were made (0 = no limit) or {@code maxElapsed} has passed since the first, whichever comes first.
     */
    public record Retry(int maxAttempts, Duration maxElapsed, Duration initialBackoff, Duration maxBackoff) {
    }

    /** At most {@code messages} sends in any window of length {@code per}. */
    public record RateLimit(int messages, Duration per) {
        @Override
        public String toString() {
            return messages + " per " + per.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Events held back by a rate limit: at most {@code maxEvents} wait for the next digest (beyond that the sink stops
     * reading until the digest is out); a digest message lists at most {@code lines} of them one by one.
     */
    public record Digest(int maxEvents, int lines) {
    }

    public String consumerGroup() {
        return "slipway-sink-" + name;
    }

    public String deadLetterTopic(String eventsTopic) {
        return eventsTopic + "." + name + ".dlq";
    }
}
