package io.slipway.provision.pace;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.provision.ProviderException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff.Policy policy = new Backoff.Policy(Duration.ofMillis(100), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(20));

    @Test
    void eachSleepIsBetweenTheBaseAndThreeTimesThePreviousCappedAtTheCap() {
        for (long seed = 0; seed < 50; seed++) {
            Backoff backoff = new Backoff(policy, new Random(seed));
            long previous = 0;
            for (int i = 0; i < 30; i++) {
                long sleep = backoff.next(Kind.TRANSIENT).toMillis();
                assertThat(sleep).isBetween(100L, Math.min(20_000L, Math.max(100L, previous * 3)));
                previous = sleep;
            }
        }
    }

    @Test
    void growsToTheCapAndStaysThere() {
        Backoff backoff = new Backoff(policy, new Random(7));
        long max = 0;
        for (int i = 0; i < 60; i++) {
            max = Math.max(max, backoff.next(Kind.THROTTLED).toMillis());
        }
        assertThat(max).isEqualTo(20_000L);
    }

    @Test
    void throttlingAndMissingCapacityWaitLongerThanATransientFault() {
        assertThat(new Backoff(policy, new Random(1)).next(Kind.TRANSIENT)).isEqualTo(Duration.ofMillis(100));
        assertThat(new Backoff(policy, new Random(1)).next(Kind.THROTTLED)).isEqualTo(Duration.ofSeconds(1));
        assertThat(new Backoff(policy, new Random(1)).next(Kind.CAPACITY)).isEqualTo(Duration.ofSeconds(2));
        Backoff mixed = new Backoff(policy, new Random(1));
        mixed.next(Kind.TRANSIENT);
        assertThat(mixed.next(Kind.THROTTLED)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void callersThatFailTogetherRetryApart() {
        List<Long> thirdSleeps = new ArrayList<>();
        for (long seed = 0; seed < 20; seed++) {
            Backoff backoff = new Backoff(policy, new Random(seed));
            backoff.next(Kind.TRANSIENT);
            backoff.next(Kind.TRANSIENT);
            thirdSleeps.add(backoff.next(Kind.TRANSIENT).toMillis());
        }
        assertThat(thirdSleeps.stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void theSameSeedGivesTheSameSleepsAndResetStartsOver() {
        Backoff a = new Backoff(policy, new Random(42));
        Backoff b = new Backoff(policy, new Random(42));
        for (int i = 0; i < 10; i++) {
            assertThat(a.next(Kind.TRANSIENT)).isEqualTo(b.next(Kind.TRANSIENT));
        }
        a.reset();
        assertThat(a.next(Kind.TRANSIENT)).isEqualTo(Duration.ofMillis(100));
    }
}
