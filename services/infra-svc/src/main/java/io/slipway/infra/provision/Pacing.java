package io.slipway.infra.provision;

import io.slipway.provision.Ticker;
import io.slipway.provision.pace.TokenBucket;
import io.slipway.provision.pace.TokenBuckets;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * One request-rate bucket per configured provider, shared by every pool's run in this instance: a provider's quota is
 * its account's in a region, not a pool's, so pools provisioned together must not each spend all of it. (Two provider
 * names on one account would each get a bucket; configure one name per account and region.)
 */
@ApplicationScoped
public class Pacing {
    /** At EC2's documented RunInstances refill rate and below its describe rate (5/s and 20/s), as bench/provision runs it. */
    private static final int BURST = 10;
    private static final double PER_SECOND = 5;

    private final TokenBuckets buckets = new TokenBuckets(Ticker.system(), BURST, PER_SECOND);

    public TokenBucket bucketFor(String provider) {
        return buckets.forAccount(provider, "configured");
    }
}
