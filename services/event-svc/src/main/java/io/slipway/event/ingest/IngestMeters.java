package io.slipway.event.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/** The ingest's meters (Micrometer, {@code /q/metrics}), tagged by cluster and, for what a stream does, by event API. */
final class IngestMeters {
    private final MeterRegistry registry;

    IngestMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** What one stream does. */
    record Stream(Counter watched, Counter relists, Counter paused) {
    }

    /** What one cluster's pipeline does. */
    record Cluster(Counter published, Counter duplicates, Counter skippedOld, Counter enrichFailures, Counter restarts,
                   Counter checkpoints, Timer lag, Timer publishLatency) {
    }

    Stream stream(StreamKey key) {
        String[] tags = {"cluster", key.cluster(), "api", key.api().apiVersion()};
        return new Stream(
                Counter.builder("slipway.ingest.events.watched").description("Events read from watches and lists").tags(tags).register(registry),
                Counter.builder("slipway.ingest.relists").description("Lists made because a watch's resourceVersion had expired (410 Gone)")
                        .tags(tags).register(registry),
                Counter.builder("slipway.ingest.watch.paused").description("Times a watch stopped reading because the pipeline was full")
                        .tags(tags).register(registry));
    }

    Cluster cluster(String name) {
        return new Cluster(
                Counter.builder("slipway.ingest.events.published").description("Occurrences acknowledged by Kafka").tag("cluster", name).register(registry),
                Counter.builder("slipway.ingest.duplicates.skipped").description("Occurrences seen again (restart, relist, both APIs) and not republished")
                        .tag("cluster", name).register(registry),
                Counter.builder("slipway.ingest.events.skipped.old").description("Occurrences older than the max event age (first start) or the seen retention (relist)")
                        .tag("cluster", name).register(registry),
                Counter.builder("slipway.ingest.enrich.failures").description("Involved objects whose labels could not be read")
                        .tag("cluster", name).register(registry),
                Counter.builder("slipway.ingest.restarts").description("Pipeline restarts after a failure").tag("cluster", name).register(registry),
                Counter.builder("slipway.ingest.checkpoints").description("Checkpoints stored (resume points and handled ids, one transaction)")
                        .tag("cluster", name).register(registry),
                Timer.builder("slipway.ingest.lag").description("From an occurrence's timestamp to its acknowledgement by Kafka")
                        .tag("cluster", name).publishPercentiles(0.5, 0.99).register(registry),
                Timer.builder("slipway.ingest.publish.latency").description("From reading an event off the watch to its acknowledgement by Kafka")
                        .tag("cluster", name).publishPercentiles(0.5, 0.99).register(registry));
    }

    void gauge(String name, String description, String cluster, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tag("cluster", cluster).strongReference(true).register(registry);
    }
}
