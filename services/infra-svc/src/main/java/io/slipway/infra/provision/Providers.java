package io.slipway.infra.provision;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.slipway.infra.InfraServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The configured providers by name, opened once at startup (a wrong setting stops the service there, naming it) and
 * closed at shutdown (their nodes stay).
 */
@Startup
@ApplicationScoped
public class Providers {
    private static final Logger LOG = Logger.getLogger(Providers.class);

    private final Map<String, ProviderFactory.OpenProvider> open = new LinkedHashMap<>();

    Providers(InfraServiceConfig config, Instance<ProviderFactory> factories) {
        Map<String, ProviderFactory> byKind = new TreeMap<>();
        factories.forEach(f -> byKind.put(f.kind(), f));
        config.providers().forEach((name, p) -> {
            ProviderFactory f = byKind.get(p.kind());
            if (f == null) {
                throw new IllegalArgumentException("slipway.infra.providers." + name + ".kind: '" + p.kind()
                        + "' is not a provider kind; known: " + String.join(", ", byKind.keySet()));
            }
            try {
                open.put(name, f.open(name, p.settings()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("slipway.infra.providers." + name + ": " + e.getMessage(), e);
            }
            LOG.infof("provider %s (%s) ready", name, p.kind());
        });
    }

    public Set<String> names() {
        return open.keySet();
    }

    public Map<String, ProviderFactory.OpenProvider> all() {
        return open;
    }

    /** The provider named so; an {@link IllegalArgumentException} when none is (a pool from an older configuration). */
    public ProviderFactory.OpenProvider get(String name) {
        ProviderFactory.OpenProvider p = open.get(name);
        if (p == null) {
            throw new IllegalArgumentException("provider '" + name + "' is not configured (configured: " + String.join(", ", open.keySet()) + ")");
        }
        return p;
    }

    void onStop(@Observes ShutdownEvent event) {
        open.values().forEach(p -> {
            try {
                p.provider().close();
            } catch (RuntimeException e) {
                LOG.warnf("closing provider %s: %s", p.provider().kind(), e.getMessage());
            }
        });
    }
}
