package io.slipway.provision.pace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BootWaitScheduleTest {
    private final BootWaitSchedule schedule = BootWaitSchedule.defaults();

    @Test
    void describesSoonAfterTheCreate() {
        assertThat(schedule.next(Duration.ZERO, 6, BootEstimate.prior(), false)).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.next(Duration.ofMillis(500), 6, BootEstimate.prior(), false)).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void waitsLongWhileNothingCanBeReadyAndShorterAsTheExpectedBootNears() {
        BootEstimate estimate = BootEstimate.prior();
        Duration early = schedule.next(Duration.ofSeconds(2), 6, estimate, false);
        Duration later = schedule.next(Duration.ofSeconds(10), 6, estimate, false);
        Duration near = schedule.next(Duration.ofSeconds(21), 6, estimate, false);
        assertThat(early).isGreaterThan(later);
        assertThat(later).isGreaterThan(near);
        assertThat(early).isGreaterThan(Duration.ofSeconds(5));
        assertThat(near).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void inTheTailTheIntervalIsAFractionOfTheWaitBoundedByMinAndMax() {
        BootEstimate estimate = BootEstimate.prior();
        assertThat(schedule.next(Duration.ofSeconds(100), 1, estimate, false)).isEqualTo(Duration.ofSeconds(10));
        assertThat(schedule.next(Duration.ofSeconds(10), 1, BootEstimate.prior(), true)).isEqualTo(Duration.ofSeconds(4));
        assertThat(schedule.next(Duration.ofMinutes(20), 1, estimate, false)).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void machinesSeenRunningCutALongWaitShort() {
        BootEstimate estimate = BootEstimate.prior();
        assertThat(schedule.next(Duration.ofSeconds(6), 100, estimate, true))
                .isLessThan(schedule.next(Duration.ofSeconds(6), 100, estimate, false));
    }

    @Test
    void moreMachinesPendingMeansTheWaitIsNearlyOverLater() {
        BootEstimate estimate = BootEstimate.prior();
        assertThat(estimate.allDone(100, 0.05)).isGreaterThan(estimate.allDone(6, 0.05));
        assertThat(schedule.next(Duration.ofSeconds(20), 100, estimate, false))
                .isGreaterThan(schedule.next(Duration.ofSeconds(20), 1, estimate, false));
    }

    @Test
    void theEstimateLearnsFromObservedBoots() {
        BootEstimate estimate = BootEstimate.prior();
        assertThat(estimate.median()).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(21));
        for (int i = 0; i < 200; i++) {
            estimate.observe(Duration.ofSeconds(55 + i % 11));
        }
        assertThat(estimate.median()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(62));
        // the spread narrows too: the prior's 99th percentile is 3.2 times its median
        assertThat(estimate.quantile(0.99)).isLessThan(estimate.median().multipliedBy(2));
        // a slower estimate pushes the long waits out
        assertThat(schedule.next(Duration.ofSeconds(30), 6, estimate, false))
                .isGreaterThan(schedule.next(Duration.ofSeconds(30), 6, BootEstimate.prior(), false));
    }

    @Test
    void estimatesAreKeptPerProviderAndSize() {
        BootEstimates estimates = BootEstimates.withDefaultPrior();
        assertThat(estimates.of("aws", "m5.large")).isSameAs(estimates.of("aws", "m5.large"));
        assertThat(estimates.of("aws", "m5.large")).isNotSameAs(estimates.of("aws", "c5.xlarge"));
    }
}
