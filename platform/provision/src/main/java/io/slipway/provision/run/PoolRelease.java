package io.slipway.provision.run;

import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.Ticker;
import io.slipway.provision.pace.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a pool: lists what the provider holds for it (tags, not a caller's memory, so nodes of a crashed or
 * half-done run are found too), releases them in batches and lists again, until nothing of the pool is alive.
 */
final class PoolRelease {
    private static final Logger LOG = LoggerFactory.getLogger(PoolRelease.class);

    private final NodeProvider provider;
    private final Ticker ticker;
    private final ProvisionOptions options;
    private final PacedCalls calls;

    PoolRelease(NodeProvider provider, Ticker ticker, ProvisionOptions options, PacedCalls calls) {
        this.provider = provider;
        this.ticker = ticker;
        this.options = options;
        this.calls = calls;
    }

    void release(String poolId, Collection<String> knownIds, Consumer<String> released) throws InterruptedException {
        Instant until = ticker.now().plus(options.releaseDeadline());
        Backoff backoff = backoff(poolId);
        Set<String> toRelease = new LinkedHashSet<>(knownIds);
        while (true) {
            List<ProviderNode> alive = retrying(poolId, until, backoff, ProvisionStats.LIST, provider::listPooled).stream()
                    .filter(n -> poolId.equals(n.poolId()) && n.state().alive())
                    .toList();
            alive.forEach(n -> toRelease.add(n.id()));
            if (toRelease.isEmpty()) {
                return;
            }
            if (!ticker.now().isBefore(until)) {
                throw new ProvisioningException(poolId, null, null, "pool " + poolId + ": " + toRelease.size()
                        + " node(s) still alive " + options.releaseDeadline().toSeconds() + " s into its release: "
                        + toRelease, null);
            }
            LOG.info("pool {}: releasing {} node(s)", poolId, toRelease.size());
            releaseInBatches(poolId, until, backoff, new ArrayList<>(toRelease), released);
            toRelease.clear();
            ticker.sleep(options.releaseInterval());
        }
    }

    /** Every node the provider holds for any pool, listed through the bucket and retried with backoff. */
    List<ProviderNode> listPooled() throws InterruptedException {
        Instant until = ticker.now().plus(options.releaseDeadline());
        return retrying("(all)", until, backoff("(all)"), ProvisionStats.LIST, provider::listPooled);
    }

    /** Releases these nodes once (no listing), {@code released} told of each after its batch was accepted. */
    void releaseNodes(String poolId, Collection<String> ids, Consumer<String> released) throws InterruptedException {
        releaseInBatches(poolId, ticker.now().plus(options.releaseDeadline()), backoff(poolId), List.copyOf(ids), released);
    }

    /** Releases {@code ids} a describe batch at a time, {@code released} told of each batch's nodes once it was accepted. */
    private void releaseInBatches(String poolId, Instant until, Backoff backoff, List<String> ids, Consumer<String> released)
            throws InterruptedException {
        for (int i = 0; i < ids.size(); i += options.describeBatch()) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + options.describeBatch()));
            retrying(poolId, until, backoff, ProvisionStats.RELEASE, () -> {
                provider.release(batch);
                return null;
            });
            batch.forEach(released);
        }
    }

    /** Backoff jitter drawn from the run's seed, so a simulation on virtual time repeats exactly. */
    private Backoff backoff(String poolId) {
        return new Backoff(options.backoff(), new Random(options.seed() * 31 + poolId.hashCode()));
    }

    private <T> T retrying(String poolId, Instant until, Backoff backoff, String action,
                           java.util.function.Supplier<T> call) throws InterruptedException {
        while (true) {
            try {
                T answer = calls.call(action, call);
                backoff.reset();
                return answer;
            } catch (ProviderException e) {
                if (!e.retryable()) {
                    throw new ProvisioningException(poolId, null, e.code(), "pool " + poolId + ": the provider refused to "
                            + action + " its nodes (" + e.code() + "): " + e.getMessage(), e);
                }
                if (!ticker.now().isBefore(until)) {
                    throw new ProvisioningException(poolId, null, e.code(), "pool " + poolId + ": could not " + action
                            + " its nodes within " + options.releaseDeadline().toSeconds() + " s, the last answer being "
                            + e.code() + ": " + e.getMessage(), e);
                }
                Duration wait = backoff.next(e.kind());
                calls.stats().retry();
                LOG.info("pool {}: {} failed ({}), retrying in {} ms", poolId, action, e.code(), wait.toMillis());
                ticker.sleep(wait);
            }
        }
    }
}
