package io.slipway.workload.component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * How many components a template change may roll out per minute, across all components of this controller: a token
 * bucket on the controllers' clock, so that a change of the Java template does not restart every Java service at once.
 * A change of a component's own spec is not limited.
 */
public final class RolloutLimiter {
    private final Clock clock;
    private final int perMinute;
    private double tokens;
    private Instant last;

    public RolloutLimiter(Clock clock, int perMinute) {
        this.clock = clock;
        this.perMinute = perMinute;
        this.tokens = perMinute;
        this.last = clock.instant();
    }

    /** Takes a slot now, or says how long until one is free. */
    public synchronized Duration tryAcquire() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return Duration.ZERO;
        }
        return Duration.ofMillis((long) Math.ceil((1 - tokens) * 60_000.0 / perMinute));
    }

    public int perMinute() {
        return perMinute;
    }

    private void refill() {
        Instant now = clock.instant();
        if (now.isAfter(last)) {
            tokens = Math.min(perMinute, tokens + Duration.between(last, now).toMillis() * perMinute / 60_000.0);
        }
        last = now;
    }
}
