package io.slipway.testkit.kube;

import java.time.Instant;

/**
 * One occurrence written by the {@link EventGenerator}: the Event object's identity, its occurrence count after this
 * write ({@code count} for core/v1, {@code series.count} for events.k8s.io/v1, 1 for a first occurrence), the
 * resourceVersion the write got, and {@link System#nanoTime()} when it was stored (for latency measurements).
 */
public record GeneratedEvent(String uid, String namespace, String name, String apiGroup, int count, InvolvedObject involved,
                             String type, String reason, Instant occurredAt, long resourceVersion, long storedAtNanos) {

    /** uid/count: one occurrence, whichever API view it is read through. */
    public String occurrence() {
        return uid + "/" + count;
    }
}
