package io.slipway.workload.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import io.slipway.workload.component.Component;
import io.slipway.workload.component.ComponentReconciler;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs the Java Operator SDK with workload-svc's reconcilers on the Quarkus Kubernetes Client: one leader per cluster by
 * Lease, metrics in Micrometer, and primary resources patched without server-side apply (see DESIGN.md).
 */
@ApplicationScoped
public class WorkloadOperator {
    private static final Logger LOG = Logger.getLogger(WorkloadOperator.class);

    private final KubernetesClient client;
    private final WorkloadConfig config;
    private final Instance<Reconciler<?>> reconcilers;
    private final MeterRegistry registry;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final String identity;
    private Operator operator;

    WorkloadOperator(KubernetesClient client, WorkloadConfig config, Instance<Reconciler<?>> reconcilers, MeterRegistry registry) {
        this.client = client;
        this.config = config;
        this.reconcilers = reconcilers;
        this.registry = registry;
        this.identity = config.leaderElection().identity().orElse("workload-svc-" + UUID.randomUUID());
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.controllers()) {
            LOG.info("workload controllers are off (slipway.workload.controllers=false)");
            return;
        }
        operator = build(client, config, identity, reconcilers, registry, leading::set);
        operator.start();
        LOG.infof("workload controllers started on cluster %s (%s)%s", config.cluster(), client.getMasterUrl(),
                config.component().controllerId().map(id -> ": Components of shard " + id + " only").orElse(""));
    }

    /**
     * An operator running {@code reconcilers} on {@code client}: without server-side apply (the simulated API server
     * answers it with 415; see DESIGN.md), with Micrometer metrics, and when election is on, only while it holds the
     * Lease as {@code identity}. {@code leadership} hears every gain and loss of the lease.
     */
    public static Operator build(KubernetesClient client, WorkloadConfig config, String identity, Iterable<? extends Reconciler<?>> reconcilers,
                                 MeterRegistry registry, java.util.function.Consumer<Boolean> leadership) {
        var election = config.leaderElection();
        Optional<String> shard = config.component().controllerId();
        // a shard elects its own leader: its instances contend with each other, not with other shards
        String leaseName = shard.map(id -> election.leaseName() + "-" + id).orElse(election.leaseName());
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(false)
                    .withConcurrentReconciliationThreads(config.reconcileThreads())
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    // per kind, not per resource: per-resource meters tag a namespaced kind's with its namespace and a
                    // cluster-scoped kind's (SidecarSet) without, and Prometheus refuses two tag sets for one name
                    // (so does MicrometerMetricsV2, for events with and without an action)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
            if (election.enabled()) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(leaseName,
                        election.leaseNamespace().orElse(null), election.leaseDuration(), election.renewDeadline(),
                        election.retryPeriod(), identity, new LeaderCallbacks(() -> {
                            leadership.accept(true);
                            LOG.infof("%s leads the workload controllers of cluster %s", identity, config.cluster());
                        }, () -> {
                            leadership.accept(false);
                            LOG.infof("%s stopped leading the workload controllers of cluster %s", identity, config.cluster());
                        }, leader -> LOG.debugf("the workload controllers' leader is %s", leader)), election.exitOnLoss()));
            } else {
                leadership.accept(true);
            }
        });
        for (Reconciler<?> r : reconcilers) {
            if (r instanceof ComponentReconciler components) {
                // sharding: each instance lists and watches only its own Components
                operator.register(components, overrider -> overrider.withLabelSelector(
                        shard.map(id -> Component.CONTROLLER_ID + "=" + id).orElse("!" + Component.CONTROLLER_ID)));
            } else if (shard.isEmpty()) {
                operator.register(r);
            }
        }
        return operator;
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (operator != null) {
            operator.stop();
        }
    }

    /** Whether this instance runs the controllers now (it holds the Lease, or election is off). */
    public boolean leading() {
        return leading.get();
    }

    public String identity() {
        return identity;
    }
}
