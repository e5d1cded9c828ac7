package io.slipway.build.build;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.slipway.events.build.ImagePushed;
import io.slipway.events.build.ImagesCached;
import io.slipway.events.build.LayerBuilt;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What a Grafana user of build-svc looks at (deploy/grafana/slipway.json): how long builds take and how they end, how
 * much the layer cache saves, how many bytes the builds make, how many blobs a push sends or finds already there, and the
 * images a build could not make offline-complete.
 */
@ApplicationScoped
public class BuildMetrics {
    private final MeterRegistry registry;

    BuildMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A build ended ({@code succeeded} or {@code failed}) after {@code took}. */
    void finished(String outcome, Duration took) {
        Timer.builder("slipway.build.duration").description("Builds from claim to their end, by outcome").tag("outcome", outcome)
                .publishPercentileHistogram().register(registry).record(took);
    }

    /** A layer made (cached=false: its bytes count as built) or taken from the cache. */
    void layer(LayerBuilt event) {
        registry.counter("slipway.build.layers", "cached", String.valueOf(event.getCached())).increment();
        if (!event.getCached()) {
            registry.counter("slipway.build.layer.bytes").increment(Math.max(0, event.getSize()));
        }
    }

    void imagesCached(ImagesCached event) {
        registry.counter("slipway.build.images.cached", "resolved", "true").increment(event.getImages().size());
        registry.counter("slipway.build.images.cached", "resolved", "false").increment(event.getUnresolved().size());
    }

    void pushed(ImagePushed event) {
        registry.counter("slipway.build.push.blobs", "sent", "true").increment(event.getBlobsUploaded());
        registry.counter("slipway.build.push.blobs", "sent", "false").increment(event.getBlobsSkipped());
    }
}
