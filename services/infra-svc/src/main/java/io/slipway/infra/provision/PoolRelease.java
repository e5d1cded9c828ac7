package io.slipway.infra.provision;

import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolNode;
import io.slipway.infra.pool.Pools;
import io.slipway.provision.ProviderNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Gives a pool's nodes back to its provider: every node the provider holds for the pool (found by its tags, so also
 * nodes a crashed run never recorded) and every instance the pool's rows name, each with a NodeReleased event.
 */
@ApplicationScoped
public class PoolRelease {
    private static final Logger LOG = Logger.getLogger(PoolRelease.class);
    private static final int ROUNDS = 5;

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

    /** Releases every node of the pool, repeating until the provider lists none alive; answers how many it released. */
    public int releaseAll(Pool pool, String reason) {
        PacedProvider provider = paced(pool.provider);
        Set<String> done = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            Set<String> alive = new HashSet<>();
            for (ProviderNode n : provider.listPooled()) {
                if (pool.id.equals(n.poolId()) && n.state().alive()) {
                    alive.add(n.id());
                }
            }
            List<PoolNode> rows = PoolWorker.await(() -> pools.nodesOf(pool.id));
            for (PoolNode row : rows) {
                if (row.instanceId != null && row.state != PoolNode.State.Released && !done.contains(row.instanceId)) {
                    alive.add(row.instanceId);
                }
            }
            alive.removeAll(done);
            if (alive.isEmpty()) {
                return done.size();
            }
            provider.release(alive);
            for (String id : alive) {
                PoolWorker.await(() -> pools.released(pool.id, id, reason));
                done.add(id);
            }
        }
        return done.size();
    }

    PacedProvider paced(String provider) {
        return new PacedProvider(providers.get(provider).provider(), pacing.bucketFor(provider));
    }

    /** Releases one node now (it failed and is being replaced), with its event. */
    public void releaseNode(Pool pool, String instanceId, String reason) {
        paced(pool.provider).release(List.of(instanceId));
        PoolWorker.await(() -> pools.released(pool.id, instanceId, reason));
    }
}
