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
        Locations at = Locations.of(config, backbone.dataDir());
        this.store = new RouteStore(at.file(), new RouteConfigParser(RouteConfigParser.allowed(System::getenv, config.allowedVariables()),
                at.fileSinks()), config.checkInterval());
    }

    /** Where the routing file and the file sinks' directory are: as configured, else in the service's data directory. */
    record Locations(Path file, Path fileSinks) {
        static Locations of(RoutesConfig config, java.util.Optional<Path> dataDir) {
            Path data = dataDir.orElse(Path.of(System.getProperty("java.io.tmpdir"), "slipway", "event-svc"));
            return new Locations(config.file().orElseGet(() -> data.resolve("sinks.yaml")),
                    config.fileDirectory().orElseGet(() -> data.resolve("sink-files")));
        }
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
