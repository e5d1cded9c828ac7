package io.slipway.deploy.catalog;

import io.slipway.backbone.consume.ConsumedEvent;
import io.slipway.backbone.rebuild.ReadModel;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * deploy-svc's one read model: the build catalog ({@link KnownBuild}), kept from slipway.build.events by
 * {@link BuildEventsListener} and rebuilt from that topic by {@code slipway replay rebuild deploy-svc} with the same
 * function. deploy-svc's other tables are its own aggregates (clusters, their hosts and steps, secrets): see DESIGN.md.
 */
@ApplicationScoped
class BuildCatalogReadModel implements ReadModel {
    private final BuildEventsListener listener;

    BuildCatalogReadModel(BuildEventsListener listener) {
        this.listener = listener;
    }

    @Override
    public String name() {
        return "build-catalog";
    }

    @Override
    public String channel() {
        return BuildEventsListener.CHANNEL;
    }

    @Override
    public List<String> tables() {
        return List.of("known_build");
    }

    @Override
    public Uni<Void> apply(ConsumedEvent event) {
        return listener.apply(event);
    }
}
