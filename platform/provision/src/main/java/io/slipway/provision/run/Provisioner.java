package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.ProvisionListener;
import io.slipway.provision.SshReadiness;
import io.slipway.provision.Ticker;
import io.slipway.provision.pace.TokenBucket;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns a {@link PoolPlan} into ready nodes of one provider: one create per role, batched describes on an adaptive
 * schedule, SSH probes, replacements for nodes that die, backoff on every retryable failure; and releases a pool.
 * Each run is one thread's loop on the {@link Ticker}, so it runs on virtual time in simulations. The calls of all
 * runs go through the one {@link TokenBucket} of the provider's account and region.
 */
public final class Provisioner {
    private final NodeProvider provider;
    private final SshReadiness ssh;
    private final Ticker ticker;
    private final ProvisionOptions options;
    private final PacedCalls calls;

    public Provisioner(NodeProvider provider, SshReadiness ssh, Ticker ticker, TokenBucket bucket, ProvisionOptions options) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.ssh = Objects.requireNonNull(ssh, "ssh");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.options = Objects.requireNonNull(options, "options");
        this.calls = new PacedCalls(Objects.requireNonNull(bucket, "bucket"), new ProvisionStats());
    }

    /**
     * Provisions the plan and returns its ready nodes. {@code journaled} are the creates an earlier run of this pool
     * recorded through {@link ProvisionListener#creating} (in that order): they are repeated first, under their
     * tokens, so their nodes count and none is made twice.
     *
     * @throws ProvisioningException the provider refused a request for good, or the deadline passed
     */
    public List<ProviderNode> run(PoolPlan plan, List<CreateRequest> journaled, ProvisionListener listener)
            throws InterruptedException {
        return new ProvisionRun(provider, ssh, ticker, options, calls, plan, journaled, listener).execute();
    }

    /** Releases every node the provider holds for the pool, until none is alive. */
    public void release(String poolId) throws InterruptedException {
        release(poolId, Set.of());
    }

    /**
     * Releases every node the provider holds for the pool and the nodes {@code knownIds} (those a run was told of,
     * which a provider's listing may not show yet), until none is alive.
     */
    public void release(String poolId, Collection<String> knownIds) throws InterruptedException {
        release(poolId, knownIds, id -> { });
    }

    /**
     * As {@link #release(String, Collection)}, telling {@code released} of each node as its release is accepted (a node
     * still shutting down at the next listing is released, and told of, again).
     */
    public void release(String poolId, Collection<String> knownIds, Consumer<String> released) throws InterruptedException {
        new PoolRelease(provider, ticker, options, calls).release(poolId, knownIds, released);
    }

    /** Every node the provider holds for any pool (for a reaper), through the bucket, retried with backoff. */
    public List<ProviderNode> listPooled() throws InterruptedException {
        return new PoolRelease(provider, ticker, options, calls).listPooled();
    }

    /** Releases these nodes of {@code poolId} once, through the bucket, retried with backoff; {@code released} told of each. */
    public void releaseNodes(String poolId, Collection<String> ids, Consumer<String> released) throws InterruptedException {
        new PoolRelease(provider, ticker, options, calls).releaseNodes(poolId, ids, released);
    }

    /** What this provisioner's runs and releases cost so far. */
    public ProvisionStats stats() {
        return calls.stats();
    }
}
