package io.slipway.build;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    /**
     * The most a context archive may unpack to (file content, hard-link copies included): a gzip of zeros a thousandth
     * of this size is refused at the entry that goes past it, before that entry is written.
     */
    @WithDefault("17179869184")
    long maxUnpackedContextBytes();

    /** The most entries (files, directories, links) a context archive may hold. */
    @WithDefault("1000000")
    long maxContextEntries();

    /** How long a git clone and checkout of a context may take. */
    @WithDefault("5m")
    Duration gitTimeout();

    /**
     * Credentials for git contexts by host ({@code slipway.build.git-credentials."git.example.com".username}, ...): a
     * context URL never carries them, since it is stored, shown to viewers and sent in events.
     */
    Map<String, GitHost> gitCredentials();

    /** CA certificates (PEM) https git servers may present besides the system's, e.g. a company CA. */
    Optional<Path> gitCaFile();

    /**
     * The key that seals registry logins at rest (32 bytes, 0600): {@code <data-dir>/secrets.key}, made on first start,
     * unless this names another file.
     */
    Optional<Path> secretsKeyFile();

    /** One git host's credentials. */
    interface GitHost {
        /** The https user name (for a token, what the host asks: often any name, or {@code x-access-token}). */
        Optional<String> username();

        /** The https password or access token. */
        Optional<String> password();

        /** An ssh private key (the key itself, PEM or OpenSSH format, not a path on build-svc's machine). */
        Optional<String> sshKey();

        /** The host's known_hosts lines for ssh (host keys are checked strictly; there is no trust on first use). */
        Optional<String> knownHosts();
    }

    /** Registries spoken to over plain HTTP (host:port), e.g. a local registry without TLS. */
    Optional<List<String>> insecureRegistries();

    /** How often an idle worker looks for requested builds (a request in this instance wakes it at once). */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * How long a Started build stays its worker's without a heartbeat. The worker's instance renews it every quarter of
     * this; once it lapsed, any instance puts the build back to Requested (BuildRequeued) and the worker that had it can
     * no longer record anything for it. A worker on this host whose process has exited counts as gone at once.
     */
    @WithDefault("60s")
    Duration lease();
}
