package io.slipway.infra.provision;

import io.slipway.provision.Ticker;
import io.slipway.provision.pace.TokenBucket;
import io.slipway.provision.pace.TokenBuckets;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * One request-rate bucket per account and region ({@link io.slipway.provision.NodeProvider#paceKey()}), shared by every
 * pool's run, delete and the reaper in this instance: a provider's quota is its account's in a region, not a pool's nor
 * a configuration's, so pools provisioned together, and two provider names on one account, must not each spend all of it.
 */
@ApplicationScoped
public class Pacing {
    /** At EC2's documented RunInstances refill rate and below its describe rate (5/s and 20/s), as bench/provision runs it. */
    private static final int BURST = 10;
    private static final double PER_SECOND = 5;

    private final TokenBuckets buckets = new TokenBuckets(Ticker.system(), BURST, PER_SECOND);
    private final Providers providers;

    Pacing(Providers providers) {
        this.providers = providers;
    }

    public TokenBucket bucketFor(String provider) {
        return buckets.forAccount(providers.get(provider).provider().paceKey(), "");
    }
}
