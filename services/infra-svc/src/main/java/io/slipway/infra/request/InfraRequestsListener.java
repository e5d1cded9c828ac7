package io.slipway.infra.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.consume.CommandCallers;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.backbone.consume.PermanentEventFailure;
import io.slipway.events.infra.DeletePool;
import io.slipway.events.infra.RequestPool;
import io.slipway.infra.pool.PoolConflict;
import io.slipway.infra.pool.PoolRequest;
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

    private final PoolCommands commands;
    private final IdempotentConsumer consumer;
    private final CommandCallers callers;

    InfraRequestsListener(PoolCommands commands, IdempotentConsumer consumer, CommandCallers callers) {
        this.commands = commands;
        this.consumer = consumer;
        this.callers = callers;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        // the producer is who its token says, whatever the command's requestedBy field claims
        return consumer.consume(CHANNEL, record, event -> apply(event, callers.verify(record)));
    }

    Uni<Void> apply(ConsumedEvent event, String caller) {
        return switch (event.eventType()) {
            case "RequestPool" -> create(event, event.as(RequestPool.class), caller);
            case "DeletePool" -> delete(event.as(DeletePool.class));
            default -> throw new PermanentEventFailure("event type " + event.eventType() + " is not an infra command (RequestPool, DeletePool)");
        };
    }

    private Uni<Void> create(ConsumedEvent event, RequestPool command, String caller) {
        PoolRequest request = new PoolRequest(command.getPoolId(), command.getProvider(), command.getRoles().stream()
                .map(r -> new PoolRequest.RoleRequest(r.getRole(), r.getCount(), r.getSize(), r.getImage())).toList());
        try {
            commands.validate(request);
        } catch (InvalidRequest e) {
            throw new PermanentEventFailure(e.field() + ": " + e.getMessage());
        }
        return commands.request(request, caller, EventContext.causedBy(event))
                .onFailure(PoolConflict.class).transform(e -> new PermanentEventFailure(e.getMessage())).replaceWithVoid();
    }

    private Uni<Void> delete(DeletePool command) {
        return commands.delete(command.getPoolId()).invoke(p -> {
            if (p == null) {
                throw new PermanentEventFailure("poolId: no pool " + command.getPoolId() + " exists");
            }
        }).replaceWithVoid();
    }
}
