package io.slipway.infra.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.events.deploy.Deleted;
import io.slipway.events.deploy.PoolWanted;
import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolConflict;
import io.slipway.infra.pool.PoolRequest;
import io.slipway.infra.pool.Pools;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The other half of the hand-off with deploy-svc, by choreography on {@code slipway.deploy.events}: a cluster whose
 * Clusterfile has an infra section ({@code PoolWanted}) gets its pool, named after the cluster (behind the cluster's
 * previous pool of that name while that one is still being released); the cluster's {@code Deleted} naming that pool
 * releases it; a larger PoolWanted for the cluster's own live pool grows it. A pool that cannot be made (a provider
 * infra-svc does not have, the name taken by a pool someone else asked for) is answered with {@code PoolRefused} and the
 * reason, so deploy-svc fails the cluster with it instead of
 * waiting forever. Both are safe to replay: a PoolWanted older than the cluster's pool, and a Deleted older than the
 * pool of its name, change nothing. Every other deploy event is none of infra-svc's business.
 */
@ApplicationScoped
public class DeployEventsListener {
    private static final Logger LOG = Logger.getLogger(DeployEventsListener.class);

    /** The channel, configured in application.properties (topic slipway.deploy.events, group {@code infra-svc.deploy}). */
    static final String CHANNEL = "deploy-events";

    /** How a pool made for a cluster names who asked; a pool of the name requested otherwise is not the cluster's. */
    private static final String OWNER = "deploy-svc for cluster ";

    private final Pools pools;
    private final PoolCommands commands;
    private final IdempotentConsumer consumer;

    DeployEventsListener(Pools pools, PoolCommands commands, IdempotentConsumer consumer) {
        this.pools = pools;
        this.commands = commands;
        this.consumer = consumer;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        return consumer.consume(CHANNEL, record, this::apply);
    }

    Uni<Void> apply(ConsumedEvent event) {
        return switch (event.eventType()) {
            case "PoolWanted" -> wanted(event.as(PoolWanted.class), EventContext.causedBy(event));
            case "Deleted" -> deleted(event.as(Deleted.class));
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> wanted(PoolWanted wanted, EventContext context) {
        PoolRequest request = new PoolRequest(wanted.getPoolId(), wanted.getProvider(), wanted.getRoles().stream()
                .map(r -> new PoolRequest.RoleRequest(r.getRole(), r.getCount(), r.getSize(), r.getImage())).toList());
        String owner = OWNER + wanted.getCluster();
        String requestedBy = owner + (wanted.getRequestedBy().isBlank() ? "" : " (" + wanted.getRequestedBy() + ")");
        try {
            commands.validate(request);
        } catch (InvalidRequest e) {
            return reject(request, requestedBy, "spec.infra." + e.field() + ": " + e.getMessage(), context);
        }
        return pools.find(request.poolId()).chain(existing -> {
            if (existing != null && existing.requestedBy.startsWith(owner) && !existing.requestedAt.isBefore(wanted.getAt())) {
                // the pool was made after this was asked: this request (a topic replayed past the dedup retention) or a later one
                LOG.infof("pool %s: PoolWanted of %s for cluster %s is older than the pool; nothing to do", request.poolId(),
                        wanted.getAt(), wanted.getCluster());
                return Uni.createFrom().voidItem();
            }
            if (existing != null && existing.state != Pool.State.Deleting && existing.state != Pool.State.Deleted
                    && !existing.requestedBy.startsWith(owner)) {
                // someone else's pool: handing it to the cluster would install over it and release it with the cluster
                return reject(request, requestedBy, "a pool named " + request.poolId() + " already exists (" + existing.state
                        + ", requested by " + existing.requestedBy + "): delete it, or give the cluster another name", context);
            }
            if (existing != null && existing.state.wantsNodes()) {
                // the cluster's own pool, live: its Clusterfile grew the infra section (the same shape changes nothing)
                return commands.grow(request, requestedBy, context)
                        .onFailure(PoolConflict.class).recoverWithUni(e -> reject(request, requestedBy, e.getMessage(), context)
                                .replaceWith((Pool) null))
                        .replaceWithVoid();
            }
            return make(request, requestedBy, wanted.getCluster(), context);
        });
    }

    private Uni<Void> make(PoolRequest request, String requestedBy, String cluster, EventContext context) {
        // a cluster deleted and applied again at once: its new pool waits for the old one's release, then is made
        return commands.requestAfterDelete(request, requestedBy, context)
                .onFailure(PoolConflict.class).recoverWithUni(e -> reject(request, requestedBy, e.getMessage(), context).replaceWith((Pool) null))
                .invoke(p -> {
                    if (p != null) {
                        LOG.infof("pool %s (%s%s) for deploy-svc's cluster %s", p.id, p.state,
                                p.state == Pool.State.Deleting ? ": made again once released" : "", cluster);
                    }
                }).replaceWithVoid();
    }

    private Uni<Void> reject(PoolRequest request, String requestedBy, String reason, EventContext context) {
        LOG.warnf("pool %s for deploy-svc cannot be made: %s", request.poolId(), reason);
        return pools.refused(request.poolId(), requestedBy, reason, context);
    }

    private Uni<Void> deleted(Deleted deleted) {
        String poolId = deleted.getPoolId();
        if (poolId == null) {
            return Uni.createFrom().voidItem(); // a cluster on listed hosts
        }
        return pools.find(poolId).chain(existing -> {
            if (existing == null || existing.requestedAt.isAfter(deleted.getAt())) {
                // no such pool, or one asked for after this delete (a replayed topic must not release a cluster made anew)
                return Uni.createFrom().voidItem();
            }
            return commands.delete(poolId).invoke(p -> {
                if (p != null) {
                    LOG.infof("pool %s is released: cluster %s was deleted", poolId, deleted.getCluster());
                }
            }).replaceWithVoid();
        });
    }
}
