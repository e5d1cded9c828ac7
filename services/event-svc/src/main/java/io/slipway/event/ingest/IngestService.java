package io.slipway.event.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BackboneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Starts the event ingest with the application and stops it, checkpointed, when the application stops. */
@ApplicationScoped
public class IngestService {
    private final EventIngest ingest;

    IngestService(IngestConfig config, BackboneConfig backbone, MeterRegistry registry) {
        this.ingest = new EventIngest(config, backbone, registry);
    }

    void onStart(@Observes StartupEvent event) {
        ingest.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        ingest.stop();
    }

    EventIngest ingest() {
        return ingest;
    }
}
