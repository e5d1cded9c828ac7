package io.slipway.event.route;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Holds the service's {@link RouteStore}: loaded and watched from startup, closed on shutdown. */
@ApplicationScoped
public class RouteService {
    private final RouteStore store;
    private boolean started;

    RouteService(RoutesConfig config) {
        this.store = new RouteStore(config.file(), new RouteConfigParser(RouteConfigParser.allowed(System::getenv, config.allowedVariables())), config.checkInterval());
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
