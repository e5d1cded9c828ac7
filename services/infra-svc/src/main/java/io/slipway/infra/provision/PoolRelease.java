package io.slipway.infra.provision;

import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolNode;
import io.slipway.infra.pool.Pools;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.Ticker;
import io.slipway.provision.run.ProvisionOptions;
import io.slipway.provision.run.Provisioner;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Gives nodes back to their provider with the platform's own release loop ({@link Provisioner#release}: every node the
 * provider holds for the pool, found by its tags, so also nodes a crashed run never recorded, plus every instance the
 * pool's rows name, listed again until none is alive), through the account's bucket and with backoff; each node given
 * back is recorded once, with its NodeReleased event.
 */
@ApplicationScoped
public class PoolRelease {
    private static final Logger LOG = Logger.getLogger(PoolRelease.class);

    private final Pools pools;
    private final Providers providers;
    private final Pacing pacing;

    PoolRelease(Pools pools, Providers providers, Pacing pacing) {
        this.pools = pools;
        this.providers = providers;
        this.pacing = pacing;
    }

    /** Releases everything of a pool being deleted, then records it Deleted. */
    public void deletePool(Pool pool) {
        int released = releaseAll(pool, "pool deleted");
        PoolWorker.await(() -> pools.deleted(pool.id, released));
        LOG.infof("pool %s deleted: %d node(s) released", pool.id, released);
    }

    /** Releases every node of the pool, until the provider lists none alive; answers how many it released. */
    public int releaseAll(Pool pool, String reason) {
        Set<String> known = new HashSet<>();
        for (PoolNode row : PoolWorker.await(() -> pools.nodesOf(pool.id))) {
            if (row.instanceId != null && row.state != PoolNode.State.Released) {
                known.add(row.instanceId);
            }
        }
        Set<String> done = new HashSet<>();
        withProvisioner(pool.provider, p -> {
            p.release(pool.id, known, recorder(pool.id, reason, done));
            return null;
        });
        return done.size();
    }

    /** Releases one node now (it failed and is being replaced, or the reaper found it unwanted), with its event. */
    public void releaseNode(String provider, String poolId, String instanceId, String reason) {
        Set<String> done = new HashSet<>();
        withProvisioner(provider, p -> {
            p.releaseNodes(poolId == null ? "(none)" : poolId, List.of(instanceId), poolId == null ? done::add : recorder(poolId, reason, done));
            return null;
        });
    }

    /** Every node the provider holds for any pool, through the account's bucket. */
    public List<ProviderNode> listPooled(String provider) {
        return withProvisioner(provider, Provisioner::listPooled);
    }

    /** Records each node once (a node still shutting down at the next listing is released again, not recorded again). */
    private Consumer<String> recorder(String poolId, String reason, Collection<String> done) {
        return id -> {
            if (done.add(id)) {
                PoolWorker.await(() -> pools.released(poolId, id, reason));
            }
        };
    }

    private interface ProviderCall<T> {
        T run(Provisioner provisioner) throws InterruptedException;
    }

    private <T> T withProvisioner(String provider, ProviderCall<T> call) {
        ProviderFactory.OpenProvider open = providers.get(provider);
        Provisioner provisioner = new Provisioner(open.provider(), open.readiness(), Ticker.system(), pacing.bucketFor(provider),
                ProvisionOptions.defaults());
        try {
            return call.run(provisioner);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while releasing nodes of provider " + provider, e);
        }
    }
}
