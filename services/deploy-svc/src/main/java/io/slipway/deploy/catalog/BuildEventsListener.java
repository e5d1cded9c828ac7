package io.slipway.deploy.catalog;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.consume.EventListener;
import io.slipway.events.build.BuildRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Keeps {@link KnownBuild} up to date from build-svc's events (applied once each, by the backbone). */
@ApplicationScoped
public class BuildEventsListener implements EventListener {

    @Override
    public String group() {
        return "deploy-svc.build-catalog";
    }

    @Override
    public List<String> topics() {
        return List.of(EventHeaders.eventsTopic("build"));
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event) {
        if (!"BuildRequested".equals(event.eventType())) {
            return Uni.createFrom().voidItem(); // event types this read model does not need yet
        }
        BuildRequested requested = event.as(BuildRequested.class);
        return Panache.getSession().chain(s -> s.find(KnownBuild.class, requested.getBuildId()).chain(found -> {
            KnownBuild build = found != null ? found : new KnownBuild();
            build.buildId = requested.getBuildId();
            build.image = requested.getImage();
            build.requestedBy = requested.getRequestedBy();
            build.requestedAt = requested.getRequestedAt();
            build.eventsApplied++;
            build.lastEventType = event.eventType();
            build.lastEventId = event.eventId();
            return found != null ? Uni.createFrom().voidItem() : s.persist(build);
        }));
    }
}
