package io.slipway.event.route;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Where the routing configuration lives ({@code slipway.routes.*}). */
@ConfigMapping(prefix = "slipway.routes")
public interface RoutesConfig {

    /**
     * The routing YAML (route tree, receivers, kube-eventer URIs). Read at start and whenever it changes; written by
     * {@code PUT /api/v1/sinks/routes}. A missing file means no routes until one is written. By default
     * {@code sinks.yaml} in the service's data directory ({@code slipway.data-dir}, else the temporary directory), so
     * that it outlives a rebuild of the service.
     */
    java.util.Optional<Path> file();

    /**
     * The environment variables a route may reference as {@code ${VAR}}: names, or prefixes ending in {@code *}. Any
     * other reference is refused with its line, so a route cannot send the service's own secrets (its database
     * password, its key store) to a webhook. Put the sinks' secrets in variables with an allowed name.
     */
    @WithDefault("SLIPWAY_SINK_*")
    List<String> allowedVariables();

    /**
     * The directory file sinks write in: a file sink's path is relative to it and may not leave it. By default
     * {@code sink-files} under the service's data directory ({@code slipway.data-dir}, else the temporary directory).
     */
    java.util.Optional<Path> fileDirectory();

    /** How often the file is checked besides the change notifications (which some file systems do not give). */
    @WithDefault("10s")
    Duration checkInterval();
}
