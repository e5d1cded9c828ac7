package io.slipway.event.ingest;

import io.fabric8.kubernetes.client.Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.slipway.backbone.BackboneConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Kubernetes event ingestion: every configured target cluster watched, its events normalized to {@code KubeEvent}
 * and published to {@code slipway.kube.events}, each cluster on its own pipeline (see DESIGN.md). Plain Java; the
 * Quarkus application starts and stops it through {@code IngestService}.
 */
public final class EventIngest {
    private static final Logger LOG = Logger.getLogger(EventIngest.class);

    private final IngestConfig config;
    private final BackboneConfig backbone;
    private final IngestMeters meters;
    private final Supplier<Config> clients;
    private final IngestConnections connections;
    private final Map<String, ClusterIngest> clusters = new LinkedHashMap<>();

    /**
     * {@code clients}: the Kubernetes client configuration every cluster's client is made from, asked for only when
     * a cluster is configured (in the service, the one {@code quarkus-kubernetes-client} produces); {@code connections}:
     * where the checkpoints' database connections come from (in the service, its datasource's pool).
     */
    public EventIngest(IngestConfig config, BackboneConfig backbone, MeterRegistry registry, Supplier<Config> clients,
                       IngestConnections connections) {
        this.config = config;
        this.backbone = backbone;
        this.meters = new IngestMeters(registry);
        this.clients = clients;
        this.connections = connections;
    }

    /**
     * Outside Quarkus (tests, benchmarks): clients made from fabric8's own defaults, what Quarkus starts from, and
     * connections straight from the driver.
     */
    public EventIngest(IngestConfig config, BackboneConfig backbone, MeterRegistry registry) {
        this(config, backbone, registry, () -> Config.autoConfigure(null), IngestConnections.direct(backbone));
    }

    /**
     * Connects to every cluster and starts watching; returns at once (pipelines retry Kafka and the database on their
     * own). Bad configuration (an unknown API, a missing kubeconfig or context) fails here, naming the key.
     */
    public synchronized void start() {
        if (!config.enabled() || config.clusters().isEmpty()) {
            LOG.infof("event ingest %s", config.enabled() ? "has no clusters configured (slipway.ingest.clusters)" : "is disabled");
            return;
        }
        try {
            Config base = clients.get();
            config.clusters().forEach((name, target) -> clusters.put(name, new ClusterIngest(name, target, base, config, backbone, connections, meters)));
        } catch (RuntimeException e) {
            clusters.values().forEach(ClusterIngest::stop); // none started yet: this closes their clients
            clusters.clear();
            throw e;
        }
        clusters.values().forEach(ClusterIngest::start);
        LOG.infof("event ingest started for cluster(s) %s, publishing to %s", String.join(", ", clusters.keySet()), config.topic());
    }

    /** Stops every cluster: reading ends, what Kafka acknowledged is checkpointed. */
    public synchronized void stop() {
        clusters.values().forEach(ClusterIngest::stop);
        clusters.clear();
    }

    /** Stops at once without storing anything more, as a crash would (for tests of recovery). */
    synchronized void halt() {
        clusters.values().forEach(ClusterIngest::halt);
        clusters.clear();
    }

    /** Names of the clusters whose pipeline keeps failing, with the last error; empty when all are fine. */
    public synchronized Map<String, String> failing() {
        Map<String, String> failing = new LinkedHashMap<>();
        clusters.values().stream().filter(ClusterIngest::failing).forEach(c -> failing.put(c.name(), c.lastError()));
        return failing;
    }

    public synchronized List<String> clusters() {
        return List.copyOf(clusters.keySet());
    }

    synchronized ClusterIngest cluster(String name) {
        return clusters.get(name);
    }
}
