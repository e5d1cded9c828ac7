package io.slipway.provision.pace;

import io.slipway.provision.Ticker;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link TokenBucket} per provider account and region: a provider's quota is the account's in a region, whatever
 * pool or role a call is for. infra-svc holds one registry; each provider configuration asks it for its bucket.
 */
public final class TokenBuckets {
    private final Ticker ticker;
    private final int capacity;
    private final double perSecond;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** Buckets of {@code capacity} calls, refilled at {@code perSecond}. */
    public TokenBuckets(Ticker ticker, int capacity, double perSecond) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (capacity < 1 || !(perSecond > 0)) {
            throw new IllegalArgumentException("token buckets need capacity >= 1 and a positive rate, was "
                    + capacity + " and " + perSecond + "/s");
        }
        this.capacity = capacity;
        this.perSecond = perSecond;
    }

    /** The bucket every call to {@code account} in {@code region} goes through. */
    public TokenBucket forAccount(String account, String region) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        return buckets.computeIfAbsent(account + "\n" + region, k -> new TokenBucket(ticker, capacity, perSecond));
    }
}
