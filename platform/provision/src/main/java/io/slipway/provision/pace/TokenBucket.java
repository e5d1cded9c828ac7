package io.slipway.provision.pace;

import io.slipway.provision.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The client's own request-rate limit for one provider account and region: {@code capacity} calls in a burst, then
 * {@code perSecond} a second. Every call of every pool goes through the same bucket ({@link TokenBuckets}), so
 * infra-svc as a whole stays under the provider's quota instead of finding it by being throttled.
 */
public final class TokenBucket {
    private final Ticker ticker;
    private final double capacity;
    private final double perSecond;
    private double tokens;
    private Instant refilledAt;
    private long waits;

    public TokenBucket(Ticker ticker, int capacity, double perSecond) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (capacity < 1 || !(perSecond > 0)) {
            throw new IllegalArgumentException("a token bucket needs capacity >= 1 and a positive rate, was "
                    + capacity + " and " + perSecond + "/s");
        }
        this.capacity = capacity;
        this.perSecond = perSecond;
        this.tokens = capacity;
        this.refilledAt = ticker.now();
    }

    /**
     * Takes one token, waiting on the ticker until there is one. A caller that waits holds its place: the token it
     * waits for is reserved before it sleeps, so callers are served in the order they asked.
     */
    public void acquire() throws InterruptedException {
        Duration wait;
        synchronized (this) {
            refill();
            tokens -= 1;
            if (tokens >= 0) {
                return;
            }
            waits++;
            wait = Duration.ofNanos((long) Math.ceil(-tokens / perSecond * 1e9));
        }
        ticker.sleep(wait);
    }

    /**
     * The provider throttled a call anyway (its quota is lower than configured, or another client shares it): give up
     * the burst, so the next calls come at the refill rate.
     */
    public synchronized void throttled() {
        refill();
        tokens = Math.min(tokens, 0);
    }

    /** How many acquisitions had to wait, for the pacing figures. */
    public synchronized long waits() {
        return waits;
    }

    public double perSecond() {
        return perSecond;
    }

    private void refill() {
        Instant now = ticker.now();
        long nanos = Duration.between(refilledAt, now).toNanos();
        if (nanos > 0) {
            tokens = Math.min(capacity, tokens + nanos / 1e9 * perSecond);
            refilledAt = now;
        }
    }
}
