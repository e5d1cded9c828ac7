package io.slipway.event.ingest;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * {@link IngestConfig} outside a Quarkus application (benchmarks, plain JUnit tests), with the same defaults and the
 * same duration syntax ("500ms") the service gets.
 */
public final class IngestConfigs {
    private IngestConfigs() {
    }

    /** Keys as in application.properties, e.g. {@code slipway.ingest.clusters.prod.context}. */
    public static IngestConfig of(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(IngestConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withDefaultValues(properties)
                .build()
                .getConfigMapping(IngestConfig.class);
    }
}
