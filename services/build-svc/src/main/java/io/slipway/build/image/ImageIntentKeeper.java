package io.slipway.build.image;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.work.LeaseKeeper;
import io.slipway.backbone.work.WorkerIdentity;
import io.slipway.build.BuildData;
import io.slipway.build.BuildServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;

/**
 * Settles the image store changes left between their intent and their event ({@link ImageEvents#settle}): at start
 * (a restarted build-svc finds its predecessor's at once) and every quarter of the build lease after it (this instance's
 * own, when the database was away as an event was written).
 */
@ApplicationScoped
class ImageIntentKeeper {
    private static final Logger LOG = Logger.getLogger(ImageIntentKeeper.class);

    private final ImageEvents events;
    private final BuildData data;
    private final BuildServiceConfig config;
    private volatile boolean stopping;

    ImageIntentKeeper(ImageEvents events, BuildData data, BuildServiceConfig config) {
        this.events = events;
        this.data = data;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        LeaseKeeper.thread("image-intents", config.lease(), () -> stopping, this::settle).start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    void settle() {
        try {
            int published = events.settle(WorkerIdentity::exitedHere,
                    image -> data.store().resolve(image).map(d -> d.digest().toString()).orElse(null));
            if (published > 0) {
                LOG.infof("published the events of %d image store change(s) made before their event was written", published);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the image store", e);
        }
    }
}
