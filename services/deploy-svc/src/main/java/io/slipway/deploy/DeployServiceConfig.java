package io.slipway.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** deploy-svc's own settings (the backbone's are under {@code slipway.*}). */
@ConfigMapping(prefix = "slipway.deploy")
public interface DeployServiceConfig {

    /** Cluster operations run at the same time by this instance (each may reach many hosts). */
    @WithDefault("2")
    int workers();

    /** Hosts worked on at once within one operation (SSH sessions, uploads). */
    @WithDefault("16")
    int parallelism();

    /** How long one hook, CMDS command or clean-up may run on a host. */
    @WithDefault("10m")
    Duration hookTimeout();

    /** TCP connect + SSH handshake timeout per attempt. */
    @WithDefault("10s")
    Duration sshConnectTimeout();

    /** Attempts for transient SSH faults (refused, reset, timed out) before a host step fails. */
    @WithDefault("4")
    int sshAttempts();

    /** SSH keep-alive interval: a host that misses 3 in a row is taken as unreachable (its step fails, the rest go on). */
    @WithDefault("5s")
    Duration sshKeepAlive();

    /** First backoff between SSH attempts (doubles, with jitter). */
    @WithDefault("500ms")
    Duration sshBackoff();

    /** build-svc's image store (an OCI layout), read for images named without a registry, as `sealer run` of a local build. */
    Optional<Path> buildStore();

    /** Registries spoken to over plain HTTP (host:port); loopback registries always are. */
    Optional<List<String>> insecureRegistries();

    /**
     * The key that seals Clusterfiles in the database (32 bytes, 0600): {@code <data-dir>/secrets.key}, made on first
     * start, unless this names another file (instances sharing one database must share the key).
     */
    Optional<Path> secretsKeyFile();

    /** Port of the cluster-local registry on master0 (when the image caches container images). */
    @WithDefault("5000")
    int registryPort();

    /** How often an idle worker looks for pending operations (a request in this instance wakes it at once). */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * How long a claimed operation stays its worker's without a heartbeat. The worker's instance renews it every quarter
     * of this; once it lapsed, any instance releases the operation to resume from its completed steps, and the worker that
     * had it can record nothing more. A worker on this host whose process has exited counts as gone at once.
     */
    @WithDefault("60s")
    Duration lease();
}
