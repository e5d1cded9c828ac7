package io.slipway.build;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** build-svc's own settings (the backbone's are under {@code slipway.*}). */
@ConfigMapping(prefix = "slipway.build")
public interface BuildServiceConfig {

    /** Builds run at the same time by this instance (each build is CPU- and disk-heavy). */
    @WithDefault("1")
    int workers();

    /** How long one RUN instruction may take before the build fails. */
    @WithDefault("10m")
    Duration runTimeout();

    /** Largest context archive accepted by POST /api/v1/builds/contexts. */
    @WithDefault("4294967296")
    long maxContextBytes();

    /** How long a git clone and checkout of a context may take. */
    @WithDefault("5m")
    Duration gitTimeout();

    /** Registries spoken to over plain HTTP (host:port), e.g. a local registry without TLS. */
    Optional<List<String>> insecureRegistries();

    /** How often an idle worker looks for requested builds (a request in this instance wakes it at once). */
    @WithDefault("1s")
    Duration pollInterval();
}
