package io.slipway.infra.provision;

import io.slipway.infra.InfraServiceConfig;
import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolCancelled;
import io.slipway.infra.pool.PoolCreate;
import io.slipway.infra.pool.Pools;
import io.slipway.provision.CreateRequest;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.ProvisionListener;
import io.slipway.provision.run.ProvisionOptions;
import io.slipway.provision.run.Provisioner;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * One pool's provisioning: the plan from its row, the journal of create calls from before a crash, and a
 * {@link Provisioner} whose every step becomes a transition of the pool (state and event in one transaction) before
 * the run goes on. The create's journal entry commits before the call goes out; that is what makes a resumed run
 * repeat the call under the same token instead of creating again.
 */
@ApplicationScoped
public class PoolProvisioning {
    private static final Logger LOG = Logger.getLogger(PoolProvisioning.class);

    private final InfraServiceConfig config;
    private final Pools pools;
    private final Providers providers;
    private final PoolRelease release;
    private final Pacing pacing;
    private final java.util.Map<String, CancellableTicker> running = new java.util.concurrent.ConcurrentHashMap<>();

    PoolProvisioning(InfraServiceConfig config, Pools pools, Providers providers, PoolRelease release, Pacing pacing) {
        this.config = config;
        this.pools = pools;
        this.providers = providers;
        this.release = release;
        this.pacing = pacing;
    }

    /** Stops the pool's run in this instance, if there is one, at its next wait. */
    public void cancel(String poolId) {
        CancellableTicker t = running.get(poolId);
        if (t != null) {
            t.cancel();
        }
    }

    /** The pools this instance provisions now. */
    public java.util.Set<String> running() {
        return running.keySet();
    }

    /** Runs the pool to Ready; throws what stopped it ({@link io.slipway.infra.pool.PoolCancelled} when it was deleted). */
    public void provision(Pool pool) {
        ProviderFactory.OpenProvider open = providers.get(pool.provider);
        PoolPlan plan = new PoolPlan(pool.id, pool.provider, pool.roles.stream()
                .map(r -> new PoolPlan.RolePlan(r.role, r.count, r.size, r.image)).toList(), Long.toString(pool.requestedAt.toEpochMilli()));
        List<CreateRequest> journaled = PoolWorker.await(() -> pools.journal(pool.id)).stream()
                .map(c -> request(pool, c)).toList();
        if (!journaled.isEmpty()) {
            LOG.infof("pool %s: resuming with %d create call(s) recorded before", pool.id, journaled.size());
        }
        CancellableTicker ticker = new CancellableTicker();
        running.put(pool.id, ticker);
        Provisioner provisioner = new Provisioner(open.provider(), open.readiness(), ticker,
                pacing.bucketFor(pool.provider), ProvisionOptions.defaults().withDeadline(config.provisionDeadline()));
        try {
            provisioner.run(plan, journaled, new Listener(pool, instanceId -> open.provider().login(instanceId)));
        } catch (InterruptedException e) {
            throw new PoolCancelled(pool.id, "provisioning stopped: " + e.getMessage());
        } finally {
            running.remove(pool.id);
        }
    }

    private static CreateRequest request(Pool pool, PoolCreate c) {
        return new CreateRequest(pool.id, c.role, c.size, c.image, c.count, c.token, java.util.Map.of());
    }

    /** Each step of the run, recorded before the run goes on. */
    private final class Listener implements ProvisionListener {
        private final Pool pool;
        private final java.util.function.Function<String, io.slipway.provision.SshLogin> loginOf;

        Listener(Pool pool, java.util.function.Function<String, io.slipway.provision.SshLogin> loginOf) {
            this.pool = pool;
            this.loginOf = loginOf;
        }

        @Override
        public void creating(CreateRequest request) {
            PoolWorker.await(() -> pools.creating(pool.id, request));
        }

        @Override
        public void created(CreateRequest request, List<ProviderNode> nodes) {
            PoolWorker.await(() -> pools.created(pool.id, request, nodes));
        }

        @Override
        public void shortfall(CreateRequest request, int missing, String reason) {
            PoolWorker.await(() -> pools.shortfall(pool.id, request, missing, reason));
        }

        @Override
        public void running(ProviderNode node) {
            PoolWorker.await(() -> pools.running(pool.id, node));
        }

        @Override
        public void ready(ProviderNode node, String hostKey) {
            PoolWorker.await(() -> pools.ready(pool.id, node, hostKey));
        }

        @Override
        public void failed(ProviderNode node, String reason) {
            PoolWorker.await(() -> pools.failed(pool.id, node, reason));
            if (node.state().alive()) {
                // a node that never answered SSH still costs money: give it back before its replacement comes
                release.releaseNode(pool.provider, pool.id, node.id(), "failed: " + reason);
            }
        }

        @Override
        public void poolReady(List<ProviderNode> nodes) {
            PoolWorker.await(() -> pools.poolReady(pool.id, loginOf));
            LOG.infof("pool %s ready: %d node(s)", pool.id, nodes.size());
        }
    }
}
