package io.slipway.event.sink;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;

/** How event-svc runs its sinks ({@code slipway.sinks.*}); the receivers themselves are in the routing file. */
@ConfigMapping(prefix = "slipway.sinks")
public interface SinkConfig {

    /** Whether this instance delivers to receivers at all (an ingest-only instance sets false). */
    @WithDefault("true")
    boolean enabled();

    /** The topic the sinks read: normalized Kubernetes events, key = involved object uid. */
    @WithDefault("slipway.kube.events")
    String topic();

    /** Extra Kafka consumer properties for every sink's group, e.g. {@code slipway.sinks.consumer."max.poll.records"=200}. */
    Map<String, String> consumer();
}
