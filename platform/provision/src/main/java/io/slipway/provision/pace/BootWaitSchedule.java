package io.slipway.provision.pace;

import java.time.Duration;
import java.util.Objects;

/**
 * When to describe booting machines next. One describe covers every pending machine, so the interval is all there is
 * to choose, and only the last machine's Running decides when a pool is ready. So: one describe soon after the create
 * (it confirms the machines and picks up fast boots); then long waits while the estimate says the pending machines
 * cannot all be up yet, halving as that time nears; from then on (and as soon as machines are being seen running) an
 * interval of {@code tailFraction} of the time waited so far, which keeps a pool's readiness within about that
 * fraction of the slowest machine's boot at a cost that grows with the log of the wait, not with the machines.
 *
 * @param first        the first describe after the create
 * @param min          the shortest interval
 * @param max          the longest interval (progress is still reported at least this often)
 * @param tailFraction the interval as a fraction of the time waited, once machines may be up
 * @param confidence   how likely "all pending machines up" must be for the wait to count as nearly over
 */
public record BootWaitSchedule(Duration first, Duration min, Duration max, double tailFraction, double confidence) {
    public BootWaitSchedule {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0 || !(tailFraction > 0) || !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("a boot-wait schedule needs 0 < min <= max, a positive tail fraction and 0 < confidence < 1");
        }
    }

    /**
     * First describe at 2 s, then 4-12 s apart; 10 % of the wait in the tail; "nearly over" once all up is 5 % likely.
     * Intervals below 4 s buy next to nothing: a node's SSH server answers 2-6 s after Running, and what counts is when
     * the last node answers SSH. bench/provision (200 seeds) against the former 3-15 s: N = 100 p95 of ready / slowest
     * SSH-ready 1.056 (was 1.057) in 20.6 calls (22.5); N = 6 with faults 16.6 calls (18.7, over N x 3) at p95 1.056
     * (1.064).
     */
    public static BootWaitSchedule defaults() {
        return new BootWaitSchedule(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(12), 0.10, 0.05);
    }

    /**
     * The wait before the next describe.
     *
     * @param waited      time since the oldest pending machine was created
     * @param pending     how many machines are not seen running yet
     * @param estimate    the boot estimate of their provider and size
     * @param sawRunning  whether the last describe saw machines turn running (more are likely close behind)
     */
    public Duration next(Duration waited, int pending, BootEstimate estimate, boolean sawRunning) {
        if (waited.compareTo(first) < 0) {
            return first.minus(waited);
        }
        Duration tail = clamp(Duration.ofMillis((long) (waited.toMillis() * tailFraction)));
        if (sawRunning || pending == 0) {
            return tail;
        }
        Duration nearlyOver = estimate.allDone(pending, confidence);
        if (waited.compareTo(nearlyOver) >= 0) {
            return tail;
        }
        Duration half = nearlyOver.minus(waited).dividedBy(2);
        return clamp(half.compareTo(tail) > 0 ? half : tail);
    }

    private Duration clamp(Duration d) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
