package io.slipway.event.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BackboneConfig;
import io.slipway.event.route.RouteService;
import io.slipway.event.route.RouteStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Runs the sinks with the application: every routing configuration that comes into force is applied to them. */
@ApplicationScoped
public class SinkService {
    private final SinkConfig config;
    private final RouteService routes;
    private final Sinks sinks;

    SinkService(SinkConfig config, BackboneConfig backbone, RouteService routes, MeterRegistry registry,
                io.slipway.outbound.OutboundPolicy outbound) {
        this.config = config;
        this.routes = routes;
        this.sinks = new Sinks(backbone.kafka().bootstrapServers(), config.topic(), backbone.kafka().partitions(), registry,
                () -> routes.store().current(), config.consumer(), outbound);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        RouteStore store = routes.start();
        store.onChange(sinks::apply);
        sinks.apply(store.current());
    }

    Sinks sinks() {
        return sinks;
    }

    void onStop(@Observes ShutdownEvent event) {
        sinks.close();
    }
}
