package io.slipway.provision.pace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.provision.VirtualTicker;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    private final VirtualTicker ticker = new VirtualTicker(t0);

    @Test
    void aBurstGoesAtOnceThenCallsComeAtTheRefillRate() throws Exception {
        TokenBucket bucket = new TokenBucket(ticker, 10, 5);
        for (int i = 0; i < 10; i++) {
            bucket.acquire();
        }
        assertThat(ticker.now()).isEqualTo(t0);
        for (int i = 0; i < 10; i++) {
            bucket.acquire();
        }
        assertThat(Duration.between(t0, ticker.now())).isEqualTo(Duration.ofSeconds(2));
        assertThat(bucket.waits()).isEqualTo(10);
    }

    @Test
    void neverMoreCallsInAnyWindowThanTheBurstPlusTheRate() throws Exception {
        TokenBucket bucket = new TokenBucket(ticker, 5, 2);
        long[] at = new long[200];
        for (int i = 0; i < at.length; i++) {
            bucket.acquire();
            at[i] = Duration.between(t0, ticker.now()).toMillis();
        }
        for (int i = 0; i < at.length; i++) {
            int inWindow = 0;
            for (long t : at) {
                if (t >= at[i] && t < at[i] + 10_000) {
                    inWindow++;
                }
            }
            assertThat(inWindow).isLessThanOrEqualTo(5 + 2 * 10);
        }
    }

    @Test
    void aThrottledAnswerGivesUpTheBurst() throws Exception {
        TokenBucket bucket = new TokenBucket(ticker, 10, 2);
        bucket.throttled();
        bucket.acquire();
        assertThat(Duration.between(t0, ticker.now())).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void oneBucketPerAccountAndRegionSharedByAllCallers() {
        TokenBuckets buckets = new TokenBuckets(ticker, 10, 5);
        assertThat(buckets.forAccount("111", "eu-west-1")).isSameAs(buckets.forAccount("111", "eu-west-1"));
        assertThat(buckets.forAccount("111", "eu-west-1")).isNotSameAs(buckets.forAccount("111", "us-east-1"));
        assertThat(buckets.forAccount("111", "eu-west-1")).isNotSameAs(buckets.forAccount("222", "eu-west-1"));
    }

    @Test
    void rejectsABucketThatCouldNeverServe() {
        assertThatThrownBy(() -> new TokenBucket(ticker, 0, 1)).hasMessageContaining("capacity");
        assertThatThrownBy(() -> new TokenBuckets(ticker, 1, 0)).hasMessageContaining("rate");
    }
}
