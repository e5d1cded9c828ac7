package io.slipway.infra;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** infra-svc's own settings (the backbone's are under {@code slipway.*}). */
@ConfigMapping(prefix = "slipway.infra")
public interface InfraServiceConfig {

    /** Pools this instance provisions or deletes at the same time (each is mostly waiting on its provider). */
    @WithDefault("4")
    int workers();

    /** How often an idle worker looks for pools to work on (a request in this instance wakes it at once). */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * How long an instance holds a pool it works on without renewing (it renews every third of this): a pool whose
     * instance died is taken over by another (or by the same one restarted) once it runs out.
     */
    @WithDefault("30s")
    Duration lease();

    /** How long provisioning a pool may take before it fails with what is missing (booting, SSH, capacity). */
    @WithDefault("30m")
    Duration provisionDeadline();

    /** The most nodes one pool may ask for. */
    @WithDefault("500")
    int maxNodesPerPool();

    /** How often the reaper looks for nodes no pool wants. */
    @WithDefault("60s")
    Duration reapInterval();

    /** A node younger than this is never reaped: its create may still be on its way to being recorded. */
    @WithDefault("10m")
    Duration reapGrace();

    /**
     * The providers pools can name, by name: {@code slipway.infra.providers.<name>.kind} ({@code local}, {@code static},
     * {@code aws}, or a kind a test adds) and its settings under {@code slipway.infra.providers.<name>.settings.*}.
     */
    Map<String, Provider> providers();

    /** One configured provider. */
    interface Provider {
        /** Which kind of provider. */
        String kind();

        /** Its kind's settings (see docs/infra.md); secrets belong in the environment, not in files. */
        Map<String, String> settings();
    }
}
