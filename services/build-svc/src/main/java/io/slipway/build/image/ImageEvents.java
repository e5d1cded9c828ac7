package io.slipway.build.image;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.build.ImageAction;
import io.slipway.events.build.ImageChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Records image store changes made outside a build (tag, rmi, pull, push, load) as {@code ImageChanged} events, keyed
 * by image name. The store is files, so the event follows the change: a crash between the two leaves a change without
 * its event, never an event without its change (see DESIGN.md).
 */
@ApplicationScoped
public class ImageEvents {
    private final Outbox outbox;

    ImageEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<Void> changed(ImageAction action, String image, String digest, String remote, String actor, EventContext context) {
        ImageChanged event = ImageChanged.newBuilder().setAction(action).setImage(image).setDigest(digest).setRemote(remote)
                .setActor(actor).setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
        return outbox.append(image, event, context).replaceWithVoid();
    }
}
