package io.slipway.provision.pace;

import io.slipway.provision.ProviderException.Kind;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Capped exponential backoff with decorrelated jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * {@code sleep = min(cap, random_between(base, previous * 3))}. Jitter spreads the retries of many callers that failed
 * together; the base depends on the failure, longer for throttling and missing capacity (which pass slowly) than for a
 * transient fault. One instance per sequence of retries; {@link #reset()} after a success.
 */
public final class Backoff {

    /** The bases per failure and the cap. */
    public record Policy(Duration transientBase, Duration throttledBase, Duration capacityBase, Duration cap) {
        public Policy {
            Objects.requireNonNull(transientBase, "transientBase");
            Objects.requireNonNull(throttledBase, "throttledBase");
            Objects.requireNonNull(capacityBase, "capacityBase");
            Objects.requireNonNull(cap, "cap");
            if (transientBase.isNegative() || transientBase.isZero() || cap.compareTo(transientBase) < 0
                    || cap.compareTo(throttledBase) < 0 || cap.compareTo(capacityBase) < 0) {
                throw new IllegalArgumentException("backoff bases must be positive and at most the cap " + cap);
            }
        }

        /** 200 ms after a transient fault, 1 s after throttling, 2 s after missing capacity; never more than 20 s. */
        public static Policy defaults() {
            return new Policy(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(20));
        }

        public Duration base(Kind kind) {
            return switch (kind) {
                case THROTTLED -> throttledBase;
                case CAPACITY -> capacityBase;
                default -> transientBase;
            };
        }
    }

    private final Policy policy;
    private final Random random;
    private long previousMillis;

    public Backoff(Policy policy, Random random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** How long to wait before retrying after a failure of {@code kind}. */
    public Duration next(Kind kind) {
        long base = policy.base(kind).toMillis();
        long cap = policy.cap().toMillis();
        long upper = Math.max(base, previousMillis * 3);
        long sleep = Math.min(cap, upper == base ? base : base + random.nextLong(upper - base + 1));
        previousMillis = sleep;
        return Duration.ofMillis(sleep);
    }

    /** The call succeeded: the next failure starts from its base again. */
    public void reset() {
        previousMillis = 0;
    }
}
