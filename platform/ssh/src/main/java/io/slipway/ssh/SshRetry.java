package io.slipway.ssh;

import java.time.Duration;
import io.slipway.retry.Backoff;

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

    /** The pause after failed attempt {@code attempt} (from 1): the platform's {@link Backoff} from {@code base} to {@code max}. */
    public Duration backoff(int attempt) {
        return new Backoff(base, max).forRetry(attempt);
    }
}
