package io.slipway.backbone;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * {@link BackboneConfig} outside a Quarkus application (benchmarks, plain JUnit tests, a second relay instance),
 * with the same defaults and the same duration syntax ("1s") a service gets.
 */
public final class BackboneConfigs {
    private BackboneConfigs() {
    }

    /** Keys as in application.properties, e.g. {@code slipway.domain}. */
    public static BackboneConfig of(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(BackboneConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withDefaultValues(properties)
                .build()
                .getConfigMapping(BackboneConfig.class);
    }
}
