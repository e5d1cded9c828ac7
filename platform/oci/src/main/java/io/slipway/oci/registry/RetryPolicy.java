package io.slipway.oci.registry;

import java.time.Duration;
import io.slipway.retry.Backoff;

/**
 * How often and how patiently a transient registry fault (connection error, 5xx, 429) is retried: exponential backoff
 * from {@code initialDelay} up to {@code maxDelay}, half of each pause random, so many clients that failed together do not
 * come back together. A {@code Retry-After} from the registry wins over the computed delay (capped at maxDelay).
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The pause before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    public Duration delayAfter(int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxDelay) > 0 ? maxDelay : retryAfter;
        }
        return new Backoff(initialDelay, maxDelay).forRetry(attempt);
    }

    public boolean allowsAnotherAfter(int attempt) {
        return attempt < maxAttempts;
    }

    static void pause(Duration delay) throws RegistryException.Interrupted {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException.Interrupted();
        }
    }
}
