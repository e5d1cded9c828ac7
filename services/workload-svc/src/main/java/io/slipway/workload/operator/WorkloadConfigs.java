package io.slipway.workload.operator;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;

/**
 * A {@link WorkloadConfig} outside Quarkus (the leader-election test, the benchmark): the mapping with its defaults,
 * and {@code properties} ({@code slipway.workload.*} keys) over them, read by SmallRye Config as the service reads its
 * own, so a new setting needs no hand-written implementation anywhere.
 */
public final class WorkloadConfigs {
    private WorkloadConfigs() {
    }

    public static WorkloadConfig of(Map<String, String> properties) {
        // durations as Quarkus reads them ("5m", "300ms"), not only ISO-8601
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(WorkloadConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "workload-config", 500)).build();
        return config.getConfigMapping(WorkloadConfig.class);
    }
}
