package io.slipway.testkit.ec2;

import java.time.Duration;
import java.time.Instant;

/** A {@link Quota} in use: refilled lazily from the simulation's clock when a call asks for tokens. */
final class TokenBucket {
    private final Quota quota;
    private double tokens;
    private Instant refilledAt;

    TokenBucket(Quota quota, Instant now) {
        this.quota = quota;
        this.tokens = quota.capacity();
        this.refilledAt = now;
    }

    /** Takes {@code n} tokens if there are that many, else takes none. */
    boolean tryTake(double n, Instant now) {
        refill(now);
        if (tokens + 1e-9 < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    double available(Instant now) {
        refill(now);
        return tokens;
    }

    private void refill(Instant now) {
        if (now.isAfter(refilledAt)) {
            double seconds = Duration.between(refilledAt, now).toNanos() / 1e9;
            tokens = Math.min(quota.capacity(), tokens + seconds * quota.refillPerSecond());
            refilledAt = now;
        }
    }
}
