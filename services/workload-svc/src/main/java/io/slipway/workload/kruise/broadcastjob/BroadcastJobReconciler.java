package io.slipway.workload.kruise.broadcastjob;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.slipway.workload.kruise.pod.PodWrites;
import io.slipway.workload.kruise.pod.RecentWrites;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.TransitionRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles BroadcastJobs: a pod on every node the template fits, within parallelism, until the job completes,
 * fails, pauses or is deleted after its TTL; status and transitions reported. A thin edge around
 * {@link BroadcastJobPlan}, which decides; this class reads the pods and nodes, carries the plan out concurrently and
 * records what it saw.
 */
@jakarta.inject.Singleton
// With comparable resource versions (JOSDK's default), unlike StatefulSetReconciler: the job's pause reason is read from
// the status the controller wrote last, which a stale read would lose. JOSDK 5.3.2 may drop an event that arrives while
// the controller's own status patch is in flight, so an unfinished job is looked at again every RECHECK anyway.
@ControllerConfiguration(name = "broadcastjob")
public class BroadcastJobReconciler implements Reconciler<BroadcastJob> {
    /** How often an unfinished job is looked at without an event: a lost event costs at most this long. */
    static final Duration RECHECK = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(BroadcastJobReconciler.class);
    private static final Observation.Words WORDS = new Observation.Words("PodCreated", null, null, "PodDeleted");

    private final KubernetesClient client;
    private final TransitionRecorder ledger;
    private final PodWrites writes = new PodWrites();
    private final RecentWrites recent = new RecentWrites();
    private InformerEventSource<Node, BroadcastJob> nodes;

    public BroadcastJobReconciler(KubernetesClient client, TransitionRecorder ledger) {
        this.client = client;
        this.ledger = ledger;
    }

    @Override
    public List<EventSource<?, BroadcastJob>> prepareEventSources(EventSourceContext<BroadcastJob> context) {
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, BroadcastJob.class)
                .withLabelSelector(BroadcastJobPods.CONTROLLER_UID_LABEL)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(BroadcastJob.class)).build(), context);
        // a node that appears, or changes in what decides fit, may concern every job (Kruise enqueues them all too)
        nodes = new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, BroadcastJob.class)
                .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withOnUpdateFilter(BroadcastJobReconciler::fitMayHaveChanged).build(), context);
        return List.of(pods, nodes);
    }

    @Override
    public UpdateControl<BroadcastJob> reconcile(BroadcastJob job, Context<BroadcastJob> context) {
        String ns = job.getMetadata().getNamespace();
        String uid = job.getMetadata().getUid();
        List<Pod> pods = recent.overlay(context.getSecondaryResources(Pod.class), ns, p -> ownedBy(p, uid)).stream()
                .filter(p -> ownedBy(p, uid)).toList();
        List<Node> cluster = nodes.list().toList();
        var plan = BroadcastJobPlan.plan(new BroadcastJobPlan.Input(job, pods, cluster, Instant.now()));

        if (plan.deleteJob()) {
            LOG.infof("%s/%s: deleting the job, finished at %s, its ttlSecondsAfterFinished is over", ns, job.getMetadata().getName(),
                    job.getStatus().completionTime);
            client.resources(BroadcastJob.class).inNamespace(ns).withName(job.getMetadata().getName()).delete();
            ledger.forget(uid);
            return UpdateControl.noUpdate();
        }
        BroadcastJob current = job;
        if (plan.pause()) {
            LOG.infof("%s/%s: pausing: %s", ns, job.getMetadata().getName(), plan.reason());
            current = client.resources(BroadcastJob.class).inNamespace(ns).withName(job.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"paused\":true}}");
        }
        carryOut(job, plan);
        ledger.record(observe(job, pods, plan));

        boolean changed = !Objects.equals(json(job.getStatus()), json(plan.status()));
        current.setStatus(plan.status());
        UpdateControl<BroadcastJob> control = changed || plan.pause() ? UpdateControl.patchStatus(current) : UpdateControl.noUpdate();
        if (!BroadcastJobPlan.finished(plan.status()) || plan.recheckAfter().isPresent()) {
            // the plan's own deadline when it comes sooner (a TTL, an active deadline), else RECHECK
            control.rescheduleAfter(plan.recheckAfter().map(d -> d.plusMillis(50)).filter(d -> d.compareTo(RECHECK) < 0).orElse(RECHECK));
        }
        return control;
    }

    private void carryOut(BroadcastJob job, BroadcastJobPlan.Plan plan) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        List<Supplier<Pod>> batch = new ArrayList<>();
        String seen = "{\"metadata\":{\"annotations\":{\"" + BroadcastJobPods.FAILURE_SEEN_ANNOTATION + "\":\"true\"}}}";
        for (Pod p : plan.seen()) {
            batch.add(() -> {
                Pod marked = client.pods().inNamespace(ns).withName(p.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), seen);
                recent.written(marked);
                return marked;
            });
        }
        for (var d : plan.deletes()) {
            LOG.debugf("%s/%s: deleting pod %s: %s", ns, name, d.pod().getMetadata().getName(), d.reason());
            batch.add(() -> {
                client.pods().inNamespace(ns).resource(d.pod()).lockResourceVersion(d.pod().getMetadata().getResourceVersion()).delete();
                recent.deleted(d.pod());
                return d.pod();
            });
        }
        for (var c : plan.creates()) {
            batch.add(() -> {
                Pod pod = BroadcastJobPods.pod(job, BroadcastJobPods.newName(name), c.node());
                LOG.debugf("%s/%s: creating pod %s on node %s%s", ns, name, pod.getMetadata().getName(), c.node(),
                        c.retry() > 0 ? " (retry " + c.retry() + ")" : "");
                Pod created = client.pods().inNamespace(ns).resource(pod).create();
                recent.written(created);
                return created;
            });
        }
        var result = writes.run(batch);
        if (result.conflicts() > 0) {
            LOG.debugf("%s/%s: %d pod write(s) lost a race; the next look retries them", ns, name, result.conflicts());
        }
    }

    private Observation observe(BroadcastJob job, List<Pod> pods, BroadcastJobPlan.Plan plan) {
        Map<String, Observation.PodSeen> seen = new LinkedHashMap<>();
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() == null) {
                seen.put(p.getMetadata().getName(), new Observation.PodSeen(p.getMetadata().getUid(), BroadcastJobPods.nodeOf(p)));
            }
        }
        return new Observation(job.getMetadata().getUid(), BroadcastJob.KIND, job.getMetadata().getNamespace(), job.getMetadata().getName(),
                job.getMetadata().getGeneration(), seen, null, plan.transition(), plan.reason(), WORDS);
    }

    /** Labels, taints, cordon and readiness decide fit; a heartbeat changes none of them. */
    static boolean fitMayHaveChanged(Node before, Node after) {
        return !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
                || !Objects.equals(json(before.getSpec()), json(after.getSpec()))
                || NodeFit.ready(before) != NodeFit.ready(after);
    }

    static boolean ownedBy(Pod pod, String uid) {
        List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()) && Boolean.TRUE.equals(r.getController()));
    }

    private static String json(Object o) {
        return o == null ? null : Serialization.asJson(o);
    }
}
