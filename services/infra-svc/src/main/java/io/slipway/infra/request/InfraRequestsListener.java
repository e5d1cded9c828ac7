package io.slipway.infra.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.backbone.consume.PermanentEventFailure;
import io.slipway.events.infra.DeletePool;
import io.slipway.events.infra.RequestPool;
import io.slipway.infra.InfraServiceConfig;
import io.slipway.infra.pool.PoolConflict;
import io.slipway.infra.pool.PoolRequest;
import io.slipway.infra.pool.Pools;
import io.slipway.infra.provision.PoolWorker;
import io.slipway.infra.provision.Providers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * CI's way in: {@code RequestPool} and {@code DeletePool} commands on {@code slipway.infra.requests} act exactly like
 * the REST calls. A command that can never succeed (a wrong field, a pool id taken by another shape) goes to the DLQ
 * with the field and problem as the reason.
 */
@ApplicationScoped
public class InfraRequestsListener {
    public static final String TOPIC = "slipway.infra.requests";

    /** The channel, configured in application.properties (topic, consumer group {@code infra-svc.requests}). */
    static final String CHANNEL = "infra-requests";

    private final Pools pools;
    private final PoolWorker worker;
    private final Providers providers;
    private final InfraServiceConfig config;
    private final IdempotentConsumer consumer;

    InfraRequestsListener(Pools pools, PoolWorker worker, Providers providers, InfraServiceConfig config, IdempotentConsumer consumer) {
        this.pools = pools;
        this.worker = worker;
        this.providers = providers;
        this.config = config;
        this.consumer = consumer;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        return consumer.consume(CHANNEL, record, this::apply);
    }

    Uni<Void> apply(ConsumedEvent event) {
        return switch (event.eventType()) {
            case "RequestPool" -> create(event, event.as(RequestPool.class));
            case "DeletePool" -> delete(event.as(DeletePool.class));
            default -> throw new PermanentEventFailure("event type " + event.eventType() + " is not an infra command (RequestPool, DeletePool)");
        };
    }

    private Uni<Void> create(ConsumedEvent event, RequestPool command) {
        PoolRequest request = new PoolRequest(command.getPoolId(), command.getProvider(), command.getRoles().stream()
                .map(r -> new PoolRequest.RoleRequest(r.getRole(), r.getCount(), r.getSize(), r.getImage())).toList());
        try {
            request.validate(providers.names(), config.maxNodesPerPool());
        } catch (InvalidRequest e) {
            throw new PermanentEventFailure(e.field() + ": " + e.getMessage());
        }
        return pools.request(request, command.getRequestedBy(), EventContext.causedBy(event))
                .onFailure(PoolConflict.class).transform(e -> new PermanentEventFailure(e.getMessage()))
                .invoke(worker::wake).replaceWithVoid();
    }

    private Uni<Void> delete(DeletePool command) {
        return pools.requestDelete(command.getPoolId()).invoke(p -> {
            if (p == null) {
                throw new PermanentEventFailure("poolId: no pool " + command.getPoolId() + " exists");
            }
            worker.cancel(command.getPoolId());
        }).replaceWithVoid();
    }
}
