package io.slipway.provision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The time pacing, backoff and boot waits run on: the system clock in production, a virtual clock in simulations
 * (where {@link #sleep} advances time instead of waiting), so hundreds of provisioning runs take seconds.
 */
public interface Ticker {

    Instant now();

    /** Waits {@code d} (a virtual ticker advances its clock by {@code d}). */
    void sleep(Duration d) throws InterruptedException;

    /** The machine's clock and {@link Thread#sleep}. */
    static Ticker system() {
        return new Ticker() {
            private final Clock clock = Clock.systemUTC();

            @Override
            public Instant now() {
                return clock.instant();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                if (!d.isNegative() && !d.isZero()) {
                    Thread.sleep(d);
                }
            }
        };
    }
}
