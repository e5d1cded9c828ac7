package io.slipway.ssh;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Attempts and exponential backoff with jitter, for transient faults only. */
public record SshRetry(int attempts, Duration base, Duration max) {

    public SshRetry {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
    }

    public static SshRetry defaults() {
        return new SshRetry(4, Duration.ofMillis(500), Duration.ofSeconds(8));
    }

    public static SshRetry none() {
        return new SshRetry(1, Duration.ZERO, Duration.ZERO);
    }

    /** The pause after failed attempt {@code attempt} (from 1): random in [cap/2, cap], cap = min(max, base * 2^(attempt-1)). */
    public Duration backoff(int attempt) {
        long cap = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    }
}
