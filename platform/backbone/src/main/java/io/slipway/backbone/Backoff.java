package io.slipway.backbone;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter between half and all of the nominal delay. */
public record Backoff(Duration initial, Duration max) {

    /** The delay before retry number {@code retry} (1-based). */
    public Duration forRetry(int retry) {
        long nominal = Math.min(max.toMillis(), initial.toMillis() << Math.min(retry - 1, 20));
        return Duration.ofMillis(nominal / 2 + ThreadLocalRandom.current().nextLong(nominal / 2 + 1));
    }
}
