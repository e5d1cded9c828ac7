package io.slipway.event.route;

import io.quarkus.runtime.ShutdownEvent;
import io.slipway.backbone.BackboneConfig;
import java.nio.file.Path;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Holds the service's {@link RouteStore}: loaded and watched from startup, closed on shutdown. */
@ApplicationScoped
public class RouteService {
    private final RouteStore store;
    private boolean started;

    RouteService(RoutesConfig config, BackboneConfig backbone) {
        Path files = config.fileDirectory().orElseGet(() -> backbone.dataDir()
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "slipway", "event-svc")).resolve("sink-files"));
        this.store = new RouteStore(config.file(), new RouteConfigParser(RouteConfigParser.allowed(System::getenv, config.allowedVariables()),
                files), config.checkInterval());
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    /** Loads the file and starts watching it, once. */
    public synchronized RouteStore start() {
        if (!started) {
            store.start();
            started = true;
        }
        return store;
    }

    public RouteStore store() {
        return store;
    }

    void onStop(@Observes ShutdownEvent event) {
        store.close();
    }
}
