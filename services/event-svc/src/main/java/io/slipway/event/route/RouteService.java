package io.slipway.event.route;

import io.quarkus.runtime.ShutdownEvent;
import io.slipway.backbone.BackboneConfig;
import io.slipway.event.sink.Transports;
import io.slipway.outbound.OutboundPolicy;
import java.nio.file.Path;
import java.util.Optional;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Holds the service's {@link RouteStore} over the routing's versions in the database ({@link RouteHistory}): loaded and
 * watched from startup, closed on shutdown.
 */
@ApplicationScoped
public class RouteService {
    private final RouteStore store;
    private boolean started;

    RouteService(RoutesConfig config, BackboneConfig backbone, OutboundPolicy outbound, RouteHistory history) {
        Locations at = Locations.of(config, backbone.dataDir());
        this.store = new RouteStore(history, parser(config, at), config.checkInterval(), reachableUnder(outbound), Optional.of(at.file()));
    }

    /** The parser every store of this service reads documents with (variables as allowed, file sinks' directory). */
    static RouteConfigParser parser(RoutesConfig config, Locations at) {
        return new RouteConfigParser(RouteConfigParser.allowed(System::getenv, config.allowedVariables()), at.fileSinks());
    }

    /**
     * Every receiver must send only where {@code outbound} allows: checked before any configuration comes into force, so
     * a hand-edited file naming an internal address is refused at load (its error shown with the routing, the previous
     * routing kept) as an API write is, rather than dead-lettering at the first event.
     */
    static java.util.function.Consumer<RouteConfig> reachableUnder(OutboundPolicy outbound) {
        return config -> config.receivers().forEach(r -> {
            try {
                Transports.checkDestination(r, outbound);
            } catch (OutboundPolicy.Refused e) {
                throw new ConfigError("receivers." + r.name(), 0, 0, e.getMessage());
            }
        });
    }

    /**
     * Where the routes file to import, the file sinks' directory and the sealing key are: as configured, else in the
     * service's data directory.
     */
    record Locations(Path file, Path fileSinks, Path secretsKey) {
        static Locations of(RoutesConfig config, Optional<Path> dataDir) {
            Path data = dataDir.orElse(Path.of(System.getProperty("java.io.tmpdir"), "slipway", "event-svc"));
            return new Locations(config.file().orElseGet(() -> data.resolve("sinks.yaml")),
                    config.fileDirectory().orElseGet(() -> data.resolve("sink-files")),
                    config.secretsKeyFile().orElseGet(() -> data.resolve("secrets.key")));
        }
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    /** Loads the newest version, imports the file if it is new, and starts following both, once. */
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
