package io.slipway.event.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * One receiver's meters, tagged {@code sink=<name>}: events delivered (alone or in a digest), failed attempts, retries
 * scheduled, events dead-lettered, digests sent with the events they carried, and delivery latency (from the
 * event's arrival in Kafka to the receiver's acknowledgement; p50, p99).
 */
public final class SinkMeters {
    private final Counter delivered;
    private final Counter failed;
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter digests;
    private final Counter digested;
    private final Timer latency;

    public SinkMeters(MeterRegistry registry, String sink) {
        this.delivered = registry.counter("slipway.sink.delivered", "sink", sink);
        this.failed = registry.counter("slipway.sink.failed", "sink", sink);
        this.retried = registry.counter("slipway.sink.retried", "sink", sink);
        this.deadLettered = registry.counter("slipway.sink.dead.lettered", "sink", sink);
        this.digests = registry.counter("slipway.sink.digests", "sink", sink);
        this.digested = registry.counter("slipway.sink.digested", "sink", sink);
        this.latency = Timer.builder("slipway.sink.delivery.latency").tag("sink", sink).publishPercentiles(0.5, 0.99)
                .description("from the event's arrival in Kafka to the receiver's acknowledgement").register(registry);
    }

    void delivered(SinkEvent event, long nowMillis) {
        delivered.increment();
        latency.record(Duration.ofMillis(Math.max(0, nowMillis - event.record().timestamp())));
    }

    void failedAttempts(int events) {
        failed.increment(events);
    }

    void retried(int events) {
        retried.increment(events);
    }

    void deadLettered() {
        deadLettered.increment();
    }

    void digest(int events) {
        digests.increment();
        digested.increment(events);
    }

    /** The counters as they are now, for the API. */
    public Snapshot snapshot() {
        return new Snapshot((long) delivered.count(), (long) retried.count(), (long) failed.count(), (long) deadLettered.count(),
                (long) digests.count(), (long) digested.count(), latency.percentile(0.99, java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    /** Counter values; {@code p99Millis} is NaN before the first delivery. */
    public record Snapshot(long delivered, long retried, long failed, long deadLettered, long digests, long digested, double p99Millis) {
    }
}
