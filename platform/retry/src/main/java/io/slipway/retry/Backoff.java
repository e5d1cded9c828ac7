package io.slipway.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, the one formula behind every retry of the platform (consumers, sinks, the outbox
 * relay, SSH, registries): before retry {@code n} (from 1) the ceiling is {@code min(max, initial * 2^(n-1))}, and the
 * pause is random between half the ceiling and the ceiling, so callers that failed together do not come back together.
 */
public record Backoff(Duration initial, Duration max) {

    /** The pause before retry number {@code retry} (1-based); zero when the ceiling is zero. */
    public Duration forRetry(int retry) {
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(Math.max(retry, 1) - 1, 20));
        if (ceiling <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
