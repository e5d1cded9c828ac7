package io.slipway.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromTheInitialPauseUpToTheCapWithJitterBetweenHalfAndAll() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int i = 0; i < 200; i++) {
            assertThat(b.forRetry(1).toMillis()).isBetween(50L, 100L);
            assertThat(b.forRetry(3).toMillis()).isBetween(200L, 400L);
            assertThat(b.forRetry(10).toMillis()).isBetween(500L, 1000L);
            assertThat(b.forRetry(10_000).toMillis()).isBetween(500L, 1000L);
        }
        // jitter: not every pause is the same
        assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> b.forRetry(4)).distinct().count()).isGreaterThan(1);
        assertThat(new Backoff(Duration.ZERO, Duration.ZERO).forRetry(3)).isZero();
    }
}
