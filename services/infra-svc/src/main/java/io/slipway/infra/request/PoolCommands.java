package io.slipway.infra.request;

import io.slipway.backbone.EventContext;
import io.slipway.infra.InfraServiceConfig;
import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolRequest;
import io.slipway.infra.pool.Pools;
import io.slipway.infra.provision.PoolWorker;
import io.slipway.infra.provision.Providers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What every way in (REST, CI's commands, deploy-svc's events) does to pools: a request is validated against the
 * configured providers and limits (an {@link io.slipway.backbone.api.InvalidRequest} naming the field), recorded, and a
 * worker woken; a delete marks the pool Deleting and stops a provisioning run of it in this instance.
 */
@ApplicationScoped
public class PoolCommands {
    private final Pools pools;
    private final PoolWorker worker;
    private final Providers providers;
    private final InfraServiceConfig config;

    PoolCommands(Pools pools, PoolWorker worker, Providers providers, InfraServiceConfig config) {
        this.pools = pools;
        this.worker = worker;
        this.providers = providers;
        this.config = config;
    }

    /** Throws {@link io.slipway.backbone.api.InvalidRequest} for a field no retry can fix. */
    public PoolRequest validate(PoolRequest request) {
        return request.validate(providers.names(), config.maxNodesPerPool());
    }

    /** Validates and records the pool (the same pool again for the same request; {@link io.slipway.infra.pool.PoolConflict} for another shape). */
    public Uni<Pool> request(PoolRequest request, String requestedBy, EventContext context) {
        validate(request);
        return pools.request(request, requestedBy, context).invoke(worker::wake);
    }

    /** As {@link #request}, but behind a pool of that id still being deleted: made once that one is Deleted. */
    public Uni<Pool> requestAfterDelete(PoolRequest request, String requestedBy, EventContext context) {
        validate(request);
        return pools.requestAfterDelete(request, requestedBy, context).invoke(worker::wake);
    }

    /** Grows a pool still wanted to the request's counts (see {@link Pools#grow}), and wakes a worker to provision it. */
    public Uni<Pool> grow(PoolRequest request, String requestedBy, EventContext context) {
        validate(request);
        return pools.grow(request, requestedBy, context).invoke(worker::wake);
    }

    /** Asks for the pool's deletion; null when there is no such pool. */
    public Uni<Pool> delete(String poolId) {
        return pools.requestDelete(poolId).invoke(p -> {
            if (p != null) {
                worker.cancel(poolId);
            }
        });
    }
}
