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
     * A routing document to import (GitOps: a ConfigMap's file). The routing lives in the service's database, where
     * {@code PUT /api/v1/sinks/routes} writes it; whenever this file holds a valid document that differs from the newest
     * version and from what was last imported from it, the instance that notices stores it as a new version
     * ({@code changedBy} {@code file:<path>}), and every instance applies it. Read at start, on change and every
     * {@code check-interval}; never written. A missing file imports nothing. By default {@code sinks.yaml} in the
     * service's data directory ({@code slipway.data-dir}, else the temporary directory), where releases before the
     * database kept the routing: an upgraded install imports it once.
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

    /**
     * The key that seals the routing documents in the database (32 bytes, 0600): {@code <data-dir>/secrets.key}, made
     * on first start, unless this names another file. Instances sharing one database must share the key (on Kubernetes,
     * a Secret), or they cannot read each other's versions.
     */
    java.util.Optional<Path> secretsKeyFile();

    /**
     * How often the database is asked for a newer version than the one in force (in case a {@code RoutesChanged} event
     * was missed) and the file is read again (besides its change notifications, which some file systems do not give).
     */
    @WithDefault("10s")
    Duration checkInterval();
}
