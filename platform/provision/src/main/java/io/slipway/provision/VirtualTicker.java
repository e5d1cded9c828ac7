package io.slipway.provision;

import java.time.Duration;
import java.time.Instant;

/**
 * Virtual time for one simulated run on one thread: {@link #sleep} moves the clock forward at once. Simulated
 * providers read the same ticker, so a boot of 25 s is over after the caller has slept 25 s of it.
 */
public final class VirtualTicker implements Ticker {
    private Instant now;

    public VirtualTicker(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized void sleep(Duration d) {
        if (!d.isNegative()) {
            now = now.plus(d);
        }
    }

    /** Moves the clock forward by {@code d}, as time spent inside a call (latency) rather than waiting. */
    public void advance(Duration d) {
        sleep(d);
    }
}
