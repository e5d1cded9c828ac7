package io.slipway.workload.kruise.statefulset;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.slipway.workload.kruise.Conditions;
import io.slipway.workload.kruise.Revisions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodWrites;
import io.slipway.workload.kruise.pod.RecentWrites;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.TransitionRecorder;
import io.slipway.workload.progress.RolloutPhase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reconciles Advanced StatefulSets: keeps the revision, scales, rolls the update out in place or by recreation, and
 * reports status and transitions. A thin edge around {@link StatefulSetRollout}, which decides; this class reads the
 * cluster, carries the plan out concurrently and records what it saw.
 */
@jakarta.inject.Singleton
// JOSDK 5.3.2 filters the events of its own status patch by remembering only the last event seen during the patch: a
// spec change that lands while the patch is in flight is followed by the patch's own event and is dropped, and the set
// is not reconciled for it (operator-framework/java-operator-sdk#3399 makes the filter aware of such events). Without
// comparable resource versions there is no such filter; the next look may read a status one patch old, which the
// planner recomputes from the pods anyway.
@ControllerConfiguration(name = "advanced-statefulset", informer = @Informer(comparableResourceVersions = false))
public class StatefulSetReconciler implements Reconciler<AdvancedStatefulSet> {
    private static final Logger LOG = Logger.getLogger(StatefulSetReconciler.class);
    public static final String PAUSED = RolloutPhase.PAUSED;
    public static final String BLOCKED = RolloutPhase.BLOCKED;
    public static final String ROLLED_OUT = RolloutPhase.FINISHED;

    private final KubernetesClient client;
    private final TransitionRecorder ledger;
    private final PodWrites writes = new PodWrites();
    private final RecentWrites recent = new RecentWrites();

    public StatefulSetReconciler(KubernetesClient client, TransitionRecorder ledger) {
        this.client = client;
        this.ledger = ledger;
    }

    @Override
    public List<EventSource<?, AdvancedStatefulSet>> prepareEventSources(EventSourceContext<AdvancedStatefulSet> context) {
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, AdvancedStatefulSet.class)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AdvancedStatefulSet.class)).build(), context);
        var revisions = new InformerEventSource<>(InformerEventSourceConfiguration.from(ControllerRevision.class, AdvancedStatefulSet.class)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AdvancedStatefulSet.class)).build(), context);
        return List.of(pods, revisions);
    }

    @Override
    public UpdateControl<AdvancedStatefulSet> reconcile(AdvancedStatefulSet set, Context<AdvancedStatefulSet> context) {
        Instant now = Instant.now();
        String ns = set.getMetadata().getNamespace();
        String uid = set.getMetadata().getUid();
        List<ControllerRevision> revisions = context.getSecondaryResources(ControllerRevision.class).stream()
                .filter(r -> ownedBy(r.getMetadata().getOwnerReferences(), uid)).toList();
        int collisions = set.getStatus() == null || set.getStatus().collisionCount == null ? 0 : set.getStatus().collisionCount;
        String updateRevision = Revisions.name(set.getMetadata().getName(), set.getSpec().template, collisions);
        Map<String, PodTemplateSpec> templates = new HashMap<>();
        revisions.forEach(r -> templates.put(r.getMetadata().getName(), Revisions.template(r)));
        templates.put(updateRevision, set.getSpec().template);
        if (revisions.stream().noneMatch(r -> r.getMetadata().getName().equals(updateRevision))) {
            long next = revisions.stream().mapToLong(ControllerRevision::getRevision).max().orElse(0) + 1;
            createRevision(set, updateRevision, next);
        }
        String currentRevision = set.getStatus() == null || set.getStatus().currentRevision == null
                || !templates.containsKey(set.getStatus().currentRevision) ? updateRevision : set.getStatus().currentRevision;

        List<Pod> pods = recent.overlay(context.getSecondaryResources(Pod.class), ns,
                p -> ownedBy(p.getMetadata().getOwnerReferences(), uid)).stream()
                .filter(p -> ownedBy(p.getMetadata().getOwnerReferences(), uid)).toList();
        var plan = StatefulSetRollout.plan(new StatefulSetRollout.Input(set, pods, currentRevision, updateRevision, templates, now));
        carryOut(set, plan, templates, now);

        ledger.record(observe(set, pods, plan, updateRevision));
        pruneRevisions(set, revisions, currentRevision, updateRevision, pods);

        StatefulSetStatus status = plan.status();
        conditions(status.conditions, plan, set, now);
        boolean changed = !Objects.equals(statusJson(set.getStatus()), statusJson(status));
        set.setStatus(status);
        UpdateControl<AdvancedStatefulSet> control = changed ? UpdateControl.patchStatus(set) : UpdateControl.noUpdate();
        plan.recheckAfter().ifPresent(d -> control.rescheduleAfter(d.plusMillis(50)));
        return control;
    }

    private void carryOut(AdvancedStatefulSet set, StatefulSetRollout.Plan plan, Map<String, PodTemplateSpec> templates, Instant now) {
        String ns = set.getMetadata().getNamespace();
        boolean gate = StatefulSetRollout.updatesInPlace(set.getSpec());
        List<Supplier<Pod>> batch = new ArrayList<>();
        for (var d : plan.deletes()) {
            LOG.debugf("%s/%s: deleting pod %s: %s", ns, set.getMetadata().getName(), d.pod().getMetadata().getName(), d.reason());
            batch.add(() -> {
                client.pods().inNamespace(ns).resource(d.pod()).lockResourceVersion(d.pod().getMetadata().getResourceVersion()).delete();
                recent.deleted(d.pod());
                if ("scaled down".equals(d.reason())) {
                    deleteClaimsOnScaleDown(set, d.pod());
                }
                return d.pod();
            });
        }
        for (var c : plan.creates()) {
            PodTemplateSpec template = templates.getOrDefault(c.revision(), set.getSpec().template);
            batch.add(() -> {
                for (PersistentVolumeClaim claim : StatefulSetPods.claims(set, c.ordinal())) {
                    // a claim kept from an earlier pod of this ordinal answers 409, and is used as it is
                    createIgnoringExisting(() -> client.persistentVolumeClaims().inNamespace(ns).resource(claim).create());
                }
                Pod created = client.pods().inNamespace(ns).resource(StatefulSetPods.pod(set, template, c.ordinal(), c.revision(), gate)).create();
                recent.written(created);
                return created;
            });
        }
        for (var step : plan.inPlace()) {
            batch.add(() -> {
                Pod pod = step.pod();
                if (!InPlaceUpdate.inProgress(pod)) {
                    pod = PodWrites.gate(client, pod, false, "StartInPlaceUpdate", now);
                    recent.written(pod);
                }
                if (step.applyNow()) {
                    int ordinal = StatefulSetRollout.ordinalOf(set.getMetadata().getName(), pod);
                    Pod applied = InPlaceUpdate.apply(pod, step.diff(), StatefulSetPods.identity(set, ordinal, step.revision()),
                            step.revision(), now);
                    // resource(pod), not withName: fabric8 would GET the pod first to have an item to patch
                    Pod read = pod;
                    pod = PodWrites.guarded(() -> client.pods().inNamespace(ns).resource(read)
                            .patch(PatchContext.of(PatchType.JSON), InPlaceUpdate.patch(read, applied)));
                    recent.written(pod);
                }
                return pod;
            });
        }
        for (Pod p : plan.openGates()) {
            batch.add(() -> {
                Pod pod = PodWrites.gate(client, p, true, "InPlaceUpdateFinished", now);
                recent.written(pod);
                return pod;
            });
        }
        var result = writes.run(batch);
        if (result.conflicts() > 0) {
            LOG.debugf("%s/%s: %d pod write(s) lost a race; the next look retries them", ns, set.getMetadata().getName(), result.conflicts());
        }
    }

    private void deleteClaimsOnScaleDown(AdvancedStatefulSet set, Pod pod) {
        var retention = set.getSpec().persistentVolumeClaimRetentionPolicy;
        if (retention == null || !"Delete".equals(retention.whenScaled)) {
            return;
        }
        int ordinal = StatefulSetRollout.ordinalOf(set.getMetadata().getName(), pod);
        for (PersistentVolumeClaim claim : StatefulSetPods.claims(set, ordinal)) {
            client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace()).withName(claim.getMetadata().getName()).delete();
        }
    }

    private void createRevision(AdvancedStatefulSet set, String name, long revision) {
        Map<String, String> labels = set.getSpec().selector == null || set.getSpec().selector.getMatchLabels() == null ? Map.of()
                : set.getSpec().selector.getMatchLabels();
        createIgnoringExisting(() -> client.apps().controllerRevisions().inNamespace(set.getMetadata().getNamespace())
                .resource(Revisions.build(set, name, set.getSpec().template, revision, labels)).create());
    }

    /** Keeps the revisions in use and the newest {@code revisionHistoryLimit} others (10 by default). */
    private void pruneRevisions(AdvancedStatefulSet set, List<ControllerRevision> revisions, String current, String update, List<Pod> pods) {
        int limit = set.getSpec().revisionHistoryLimit == null ? 10 : set.getSpec().revisionHistoryLimit;
        List<String> inUse = new ArrayList<>(List.of(current, update));
        pods.forEach(p -> inUse.add(StatefulSetRollout.revisionOf(p)));
        List<ControllerRevision> spare = revisions.stream().filter(r -> !inUse.contains(r.getMetadata().getName()))
                .sorted(Comparator.comparingLong(ControllerRevision::getRevision).reversed()).toList();
        for (ControllerRevision r : spare.subList(Math.min(limit, spare.size()), spare.size())) {
            client.apps().controllerRevisions().inNamespace(set.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
        }
    }

    private Observation observe(AdvancedStatefulSet set, List<Pod> pods, StatefulSetRollout.Plan plan, String updateRevision) {
        Map<String, Observation.PodSeen> seen = new LinkedHashMap<>();
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() == null) {
                seen.put(p.getMetadata().getName(), new Observation.PodSeen(p.getMetadata().getUid(), StatefulSetRollout.revisionOf(p)));
            }
        }
        String phase = switch (plan.phase()) {
            case PROGRESSING -> "RolloutProgressing";
            case PAUSED -> "RolloutPaused";
            case BLOCKED -> "RolloutBlocked";
            case FINISHED -> "RolloutFinished";
        };
        return new Observation(set.getMetadata().getUid(), AdvancedStatefulSet.KIND, set.getMetadata().getNamespace(),
                set.getMetadata().getName(), set.getMetadata().getGeneration(), seen, updateRevision, phase, plan.reason());
    }

    private static void conditions(List<Condition> conditions, StatefulSetRollout.Plan plan, AdvancedStatefulSet set, Instant now) {
        Long generation = set.getMetadata().getGeneration();
        var phase = plan.phase();
        Conditions.set(conditions, PAUSED, phase == StatefulSetRollout.Phase.PAUSED ? "True" : "False",
                phase == StatefulSetRollout.Phase.PAUSED ? "RolloutPaused" : "NotPaused", phase == StatefulSetRollout.Phase.PAUSED ? plan.reason() : "",
                now, generation);
        Conditions.set(conditions, BLOCKED, phase == StatefulSetRollout.Phase.BLOCKED ? "True" : "False",
                phase == StatefulSetRollout.Phase.BLOCKED ? "InPlaceOnly" : "NotBlocked", phase == StatefulSetRollout.Phase.BLOCKED ? plan.reason() : "",
                now, generation);
        Conditions.set(conditions, ROLLED_OUT, phase == StatefulSetRollout.Phase.FINISHED ? "True" : "False",
                phase == StatefulSetRollout.Phase.FINISHED ? "RolloutFinished" : "RolloutProgressing", plan.reason(), now, generation);
    }

    private static String statusJson(StatefulSetStatus status) {
        if (status == null) {
            return null;
        }
        // transition times change only with a status, so comparing the whole status is enough to skip idle writes
        return io.fabric8.kubernetes.client.utils.Serialization.asJson(status);
    }

    static boolean ownedBy(List<io.fabric8.kubernetes.api.model.OwnerReference> refs, String uid) {
        return refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()) && Boolean.TRUE.equals(r.getController()));
    }

    private static void createIgnoringExisting(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }
}
