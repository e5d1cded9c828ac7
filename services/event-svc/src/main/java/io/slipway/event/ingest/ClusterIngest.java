package io.slipway.event.ingest;

import io.slipway.kube.TargetClusters;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.retry.Backoff;
import io.slipway.retry.Supervisor;
import io.slipway.backbone.BackboneConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * The ingest of one target cluster: one {@link IngestRun} at a time, and a new one, from the stored checkpoints and
 * with exponential backoff, whenever the current one fails.
 */
final class ClusterIngest {
    private static final Logger LOG = Logger.getLogger(ClusterIngest.class);
    /** A run that lasted this long before failing counts as a fresh start of the failure count. */
    private static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private final String name;
    private final KubernetesClient client;
    private final Vertx vertx;
    private final List<StreamKey> keys;
    private final IngestConfig config;
    private final BackboneConfig backbone;
    private final IngestConnections connections;
    private final IngestMeters.Cluster meters;
    private final Map<StreamKey, IngestMeters.Stream> streamMeters = new LinkedHashMap<>();

    /** Runs one {@link IngestRun} after the other on the cluster's thread. */
    private final Supervisor supervisor;
    private volatile IngestRun run;
    private volatile long runningSince;
    private volatile boolean standingBy;

    /** {@code clients}: the Kubernetes client configuration this cluster's is made from (see {@link TargetClusters}). */
    ClusterIngest(String name, IngestConfig.Cluster target, Config clients, IngestConfig config, BackboneConfig backbone,
                  IngestConnections connections, IngestMeters meters) {
        this.name = name;
        this.connections = connections;
        this.keys = streams(name, target);
        this.vertx = TargetClusters.vertx();
        try {
            this.client = TargetClusters.connect(TargetClusters.configOf("slipway.ingest.clusters." + name + ".", target.kubeconfig(),
                    target.context(), target.inCluster(), clients), vertx);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
        this.config = config;
        this.backbone = backbone;
        this.meters = meters.cluster(name);
        keys.forEach(k -> streamMeters.put(k, meters.stream(k)));
        // interrupted on stop: a run's end is awaited on a future
        this.supervisor = Supervisor.named("ingest-" + name, new Backoff(config.pipeline().restartBackoff(), Duration.ofMinutes(1)))
                .healthyAfter(HEALTHY_RUN).interruptOnStop().onFailure(this::failed).build(this::ingest);
        meters.gauge("slipway.ingest.queue.depth", "Events read and waiting to be published", name, () -> runValue(IngestRun::queueDepth));
        meters.gauge("slipway.ingest.inflight", "Events sent to Kafka and not yet acknowledged", name, () -> runValue(IngestRun::inFlight));
    }

    /** One stream per configured API and namespace (one for all namespaces when none are listed). */
    static List<StreamKey> streams(String cluster, IngestConfig.Cluster target) {
        List<StreamKey> keys = new ArrayList<>();
        for (String api : target.apis()) {
            EventApi eventApi;
            try {
                eventApi = EventApi.of(api);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("slipway.ingest.clusters." + cluster + ".apis: " + e.getMessage(), e);
            }
            List<String> namespaces = target.namespaces().orElse(List.of());
            if (namespaces.isEmpty()) {
                keys.add(new StreamKey(cluster, eventApi, null));
            } else {
                namespaces.forEach(ns -> keys.add(new StreamKey(cluster, eventApi, ns.trim())));
            }
        }
        return keys;
    }

    String name() {
        return name;
    }

    void start() {
        supervisor.start();
    }

    /** One run, from the stored checkpoints until it fails or is stopped. */
    private void ingest() throws Exception {
        IngestRun next = new IngestRun(name, client, vertx, keys, config, backbone, connections, meters, streamMeters);
        Throwable failure;
        try {
            if (!supervisor.whileRunning(() -> {
                run = next;
                next.start();
            })) {
                return;
            }
            runningSince = System.nanoTime();
            if (standingBy) {
                LOG.infof("cluster %s: took over the ingest", name);
                standingBy = false;
            }
            failure = next.ended().get();
        } catch (InterruptedException e) {
            throw e; // the stop's
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (Exception e) {
            failure = e;
        }
        if (failure == null || supervisor.stopping()) {
            return;
        }
        next.halt();
        if (failure instanceof IngestStandby) {
            if (!standingBy) {
                LOG.infof("cluster %s: %s", name, failure.getMessage());
            }
            standingBy = true;
            throw new Supervisor.StandBy(failure.getMessage(), config.pipeline().restartBackoff());
        }
        runningSince = 0;
        throw failure instanceof Exception e ? e : new IllegalStateException(failure.getMessage(), failure);
    }

    private void failed(Supervisor.Failure f) {
        meters.restarts().increment();
        LOG.warnf("cluster %s: ingest failed (%d in a row), restarting in %d ms: %s", name, f.inARow(), f.retryIn().toMillis(),
                f.error().getMessage());
    }

    /** Whether the last three runs failed and the current one has not yet run for a minute. */
    boolean failing() {
        long since = runningSince;
        return supervisor.failuresInARow() >= 3 && (since == 0 || System.nanoTime() - since < HEALTHY_RUN.toNanos());
    }

    String lastError() {
        return supervisor.restarts() == 0 ? null : String.valueOf(supervisor.lastError());
    }

    /** Stops the current run gracefully (see {@link IngestRun#stop()}). */
    void stop() {
        end(true);
    }

    /** Stops at once, as a crash would: nothing more is stored, unsent records are abandoned. */
    void halt() {
        end(false);
    }

    private void end(boolean graceful) {
        supervisor.stop(() -> {
            IngestRun current = run;
            if (current != null) {
                if (graceful) {
                    current.stop();
                } else {
                    current.halt();
                }
            }
        }, Duration.ofSeconds(10));
        client.close();
        vertx.close();
    }

    private int runValue(java.util.function.ToIntFunction<IngestRun> f) {
        IngestRun current = run;
        return current == null ? 0 : f.applyAsInt(current);
    }

    /** The current run's figures, for tests and benchmarks: queue peak, in-flight peak, parked watches. */
    int queuePeak() {
        return runValue(IngestRun::queuePeak);
    }

    int inFlightPeak() {
        return runValue(IngestRun::inFlightPeak);
    }

    int queueDepth() {
        return runValue(IngestRun::queueDepth);
    }

    int inFlight() {
        return runValue(IngestRun::inFlight);
    }

    int parked() {
        return runValue(IngestRun::parked);
    }
}
