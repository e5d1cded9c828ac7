package io.slipway.workload.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import io.slipway.workload.component.Component;
import io.slipway.workload.component.ComponentReconciler;
import io.slipway.workload.cronhpa.CronHpaReconciler;
import io.slipway.workload.kruise.broadcastjob.BroadcastJobReconciler;
import io.slipway.workload.kruise.statefulset.StatefulSetReconciler;
import io.slipway.workload.ledger.TransitionRecorder;
import io.slipway.workload.ledger.WorkloadLedger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs the Java Operator SDK with workload-svc's reconcilers, one operator per managed cluster ({@link ClusterClients}):
 * the home cluster's runs the CDI reconcilers, each other cluster's its own instances of them (but SidecarSet's, whose
 * injection webhook only the home cluster calls), with a ledger naming that cluster. Each cluster elects its own leader
 * by a Lease in that cluster, so one cluster's outage or lost lease leaves the others' controllers running. Metrics go
 * to Micrometer, and primary resources are patched without server-side apply (see DESIGN.md).
 */
@ApplicationScoped
public class WorkloadOperator {
    private static final Logger LOG = Logger.getLogger(WorkloadOperator.class);

    private final ClusterClients clusters;
    private final WorkloadConfig config;
    private final Instance<Reconciler<?>> reconcilers;
    private final WorkloadLedger ledger;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, AtomicBoolean> leading = new ConcurrentHashMap<>();
    private final String identity;
    private final List<Operator> operators = new ArrayList<>();

    WorkloadOperator(ClusterClients clusters, WorkloadConfig config, Instance<Reconciler<?>> reconcilers, WorkloadLedger ledger, Clock clock,
                     MeterRegistry registry) {
        this.clusters = clusters;
        this.config = config;
        this.reconcilers = reconcilers;
        this.ledger = ledger;
        this.clock = clock;
        this.registry = registry;
        this.identity = config.leaderElection().identity().orElse("workload-svc-" + UUID.randomUUID());
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.controllers()) {
            LOG.info("workload controllers are off (slipway.workload.controllers=false)");
            return;
        }
        clusters.all().forEach((name, client) -> {
            AtomicBoolean leads = leading.computeIfAbsent(name, n -> new AtomicBoolean());
            Iterable<? extends Reconciler<?>> mine = name.equals(clusters.home()) ? reconcilers : reconcilersOf(name, client);
            Operator operator = build(client, config, name, identity, mine, registry, leads::set);
            operators.add(operator);
            operator.start();
            LOG.infof("workload controllers started on cluster %s (%s)%s", name, client.getMasterUrl(),
                    config.component().controllerId().map(id -> ": Components of shard " + id + " only").orElse(""));
        });
    }

    /** New reconcilers for a cluster other than the home one (SidecarSets need the home cluster's webhooks). */
    private List<Reconciler<?>> reconcilersOf(String cluster, KubernetesClient client) {
        TransitionRecorder recorder = ledger.inCluster(cluster);
        return List.of(new StatefulSetReconciler(client, recorder), new BroadcastJobReconciler(client, recorder),
                new CronHpaReconciler(client, recorder, clock, config), new ComponentReconciler(client, recorder, clock, config, cluster));
    }

    /**
     * An operator running {@code reconcilers} on {@code client}: without server-side apply (the simulated API server
     * answers it with 415; see DESIGN.md), with Micrometer metrics, and when election is on, only while it holds the
     * Lease as {@code identity}. {@code leadership} hears every gain and loss of the lease.
     */
    public static Operator build(KubernetesClient client, WorkloadConfig config, String identity, Iterable<? extends Reconciler<?>> reconcilers,
                                 MeterRegistry registry, java.util.function.Consumer<Boolean> leadership) {
        return build(client, config, config.cluster(), identity, reconcilers, registry, leadership);
    }

    /** {@link #build} for cluster {@code cluster}, as logs name it. */
    static Operator build(KubernetesClient client, WorkloadConfig config, String cluster, String identity, Iterable<? extends Reconciler<?>> reconcilers,
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
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(tagged(registry, cluster)));
            if (election.enabled()) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(leaseName,
                        election.leaseNamespace().orElse(null), election.leaseDuration(), election.renewDeadline(),
                        election.retryPeriod(), identity, new LeaderCallbacks(() -> {
                            leadership.accept(true);
                            LOG.infof("%s leads the workload controllers of cluster %s", identity, cluster);
                        }, () -> {
                            leadership.accept(false);
                            LOG.infof("%s stopped leading the workload controllers of cluster %s", identity, cluster);
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

    /**
     * {@code registry} with tag {@code cluster} on every meter: each cluster's operator has the same controllers, whose
     * meters would otherwise be one (a gauge of the first operator only) under one name and tag set.
     */
    private static MeterRegistry tagged(MeterRegistry registry, String cluster) {
        CompositeMeterRegistry tagged = new CompositeMeterRegistry(registry.config().clock());
        tagged.config().commonTags("cluster", cluster);
        tagged.add(registry);
        return tagged;
    }

    void stop(@Observes ShutdownEvent ignored) {
        operators.forEach(Operator::stop);
    }

    /** Whether this instance runs the home cluster's controllers now (it holds the Lease, or election is off). */
    public boolean leading() {
        AtomicBoolean leads = leading.get(clusters.home());
        return leads != null && leads.get();
    }

    public String identity() {
        return identity;
    }
}
