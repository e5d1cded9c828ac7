package io.slipway.infra.provision;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BlockingCalls;
import io.slipway.infra.InfraServiceConfig;
import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolCancelled;
import io.slipway.infra.pool.Pools;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Works on pools: each worker thread takes a pool no live instance holds (a lease in its row, renewed while it
 * works), provisions it or deletes it, and gives it back. Several instances share the pools without a coordinator; a
 * pool whose instance died (SIGKILL mid-create included) is taken over when its lease runs out, and its provisioning
 * resumes from the journal of create calls, so nothing is created twice.
 */
@ApplicationScoped
public class PoolWorker {
    private static final Logger LOG = Logger.getLogger(PoolWorker.class);

    private final InfraServiceConfig config;
    private final Pools pools;
    private final Providers providers;
    private final PoolProvisioning provisioning;
    private final PoolRelease release;
    private final String workerId;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    PoolWorker(InfraServiceConfig config, Pools pools, Providers providers, PoolProvisioning provisioning, PoolRelease release) {
        this.config = config;
        this.pools = pools;
        this.providers = providers;
        this.provisioning = provisioning;
        this.release = release;
        this.workerId = hostName() + "/" + ProcessHandle.current().pid() + "/" + ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    void onStart(@Observes StartupEvent event) {
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::loop, "pool-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        Thread leases = new Thread(this::renewLeases, "pool-leases");
        leases.setDaemon(true);
        threads.add(leases);
        threads.forEach(Thread::start);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        threads.forEach(Thread::interrupt);
    }

    /** A pool was requested or deleted in this instance: look now instead of at the next poll. */
    public void wake() {
        threads.forEach(LockSupport::unpark);
    }

    public String workerId() {
        return workerId;
    }

    /**
     * The pool is being deleted: if this instance provisions it, stop that now (a run waiting on boots or SSH sees no
     * transition for a while, so it would not notice on its own).
     */
    public void cancel(String poolId) {
        provisioning.cancel(poolId);
        wake();
    }

    private void loop() {
        while (!stopping) {
            try {
                Pool pool = await(() -> pools.claimNext(workerId, config.lease()));
                if (pool == null) {
                    LockSupport.parkNanos(config.pollInterval().toNanos());
                    continue;
                }
                try {
                    work(pool);
                } finally {
                    if (!stopping) {
                        await(() -> pools.releaseLease(pool.id, workerId));
                    }
                }
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                // the database is not reachable yet: the pool keeps its state, and the lease passes on if this lasts
                LOG.warnf("pool worker cannot work yet: %s", e.getMessage());
                LockSupport.parkNanos(config.pollInterval().multipliedBy(5).toNanos());
            }
        }
    }

    private void work(Pool pool) {
        if (pool.state == Pool.State.Deleting) {
            release.deletePool(pool);
            return;
        }
        try {
            provisioning.provision(pool);
        } catch (RuntimeException e) {
            if (stopping) {
                // the lease runs out and another instance (or this one, restarted) resumes from the journal
                return;
            }
            Pool now = await(() -> pools.find(pool.id));
            if (now != null && now.state == Pool.State.Deleting) {
                LOG.infof("pool %s: provisioning stopped, the pool is being deleted", pool.id);
                release.deletePool(now);
                return;
            }
            if (e instanceof PoolCancelled) {
                LOG.infof("pool %s: provisioning stopped, %s", pool.id, e.getMessage());
                return;
            }
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warnf("pool %s failed: %s", pool.id, reason);
            await(() -> pools.poolFailed(pool.id, reason));
            release.releaseAll(pool, "pool failed");
        }
    }

    private void renewLeases() {
        while (!stopping) {
            LockSupport.parkNanos(config.lease().dividedBy(3).toNanos());
            if (stopping) {
                return;
            }
            try {
                await(() -> pools.renewLeases(workerId, config.lease()));
                // a pool deleted through another instance: stop provisioning it here
                if (!provisioning.running().isEmpty()) {
                    await(() -> pools.deletingAmong(provisioning.running())).forEach(this::cancel);
                }
            } catch (RuntimeException e) {
                LOG.warnf("cannot renew pool leases: %s", e.getMessage());
            }
        }
    }

    static <T> T await(Supplier<Uni<T>> action) {
        return BlockingCalls.await(action);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
