package io.slipway.build.request;

import io.slipway.backbone.EventContext;
import io.slipway.backbone.api.InvalidRequest;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.EventListener;
import io.slipway.backbone.consume.PermanentEventFailure;
import io.slipway.build.build.BuildRequest;
import io.slipway.build.build.BuildRequests;
import io.slipway.build.build.BuildWorker;
import io.slipway.events.build.RequestBuild;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/**
 * CI's way in: {@code RequestBuild} commands on {@code slipway.build.requests} become Builds exactly like REST
 * requests. A request that can never be valid goes to the DLQ with the field and problem as the reason.
 */
@ApplicationScoped
public class BuildRequestsListener implements EventListener {
    public static final String TOPIC = "slipway.build.requests";

    private final BuildRequests builds;
    private final BuildWorker worker;

    BuildRequestsListener(BuildRequests builds, BuildWorker worker) {
        this.builds = builds;
        this.worker = worker;
    }

    @Override
    public String group() {
        return "build-svc.requests";
    }

    @Override
    public List<String> topics() {
        return List.of(TOPIC);
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event) {
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
                new ArrayList<>(command.getPlatforms()), new HashMap<>(command.getBuildArgs()), command.getNoCache(), command.getPush());
        try {
            request.validate();
        } catch (InvalidRequest e) {
            throw new PermanentEventFailure(e.field() + ": " + e.getMessage());
        }
        return builds.request(request, buildId, command.getRequestedBy(), EventContext.causedBy(event))
                .invoke(worker::wake).replaceWithVoid();
    }
}
