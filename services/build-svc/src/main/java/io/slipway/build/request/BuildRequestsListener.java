package io.slipway.build.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.consume.CommandCallers;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.IdempotentConsumer;
import io.slipway.backbone.consume.PermanentEventFailure;
import io.slipway.build.build.BuildRequest;
import io.slipway.build.build.BuildRequests;
import io.slipway.build.build.BuildWorker;
import io.slipway.events.build.RequestBuild;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * CI's way in: {@code RequestBuild} commands on {@code slipway.build.requests} become Builds exactly like REST
 * requests. A request that can never be valid goes to the DLQ with the field and problem as the reason.
 */
@ApplicationScoped
public class BuildRequestsListener {
    public static final String TOPIC = "slipway.build.requests";

    /** The channel, configured in application.properties (topic, consumer group {@code build-svc.requests}). */
    static final String CHANNEL = "build-requests";

    private final BuildRequests builds;
    private final BuildWorker worker;
    private final IdempotentConsumer consumer;
    private final CommandCallers callers;

    BuildRequestsListener(BuildRequests builds, BuildWorker worker, IdempotentConsumer consumer, CommandCallers callers) {
        this.builds = builds;
        this.worker = worker;
        this.consumer = consumer;
        this.callers = callers;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        // the producer is who its token says, whatever the command's requestedBy field claims
        return consumer.consume(CHANNEL, record, event -> apply(event, callers.verify(record)));
    }

    Uni<Void> apply(ConsumedEvent event, String caller) {
        if (!"RequestBuild".equals(event.eventType())) {
            throw new PermanentEventFailure("event type " + event.eventType() + " is not a build request (expected RequestBuild)");
        }
        RequestBuild command = event.as(RequestBuild.class);
        String buildId = command.getBuildId();
        if (buildId != null) {
            try {
                buildId = UUID.fromString(buildId).toString();
            } catch (IllegalArgumentException e) {
                throw new PermanentEventFailure("buildId: '" + buildId + "' is not a UUID");
            }
        }
        BuildRequest request = new BuildRequest(command.getImage(), command.getKubefile(), command.getContext(),
                new ArrayList<>(command.getPlatforms()), new HashMap<>(command.getBuildArgs()), command.getNoCache(), command.getPush(),
                command.getStrict());
        try {
            request.validate();
        } catch (InvalidRequest e) {
            throw new PermanentEventFailure(e.field() + ": " + e.getMessage());
        }
        return builds.request(request, buildId, caller, EventContext.causedBy(event))
                .invoke(worker::wake).replaceWithVoid();
    }
}
