package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.slipway.workload.kruise.Conditions;
import io.slipway.workload.kruise.Revisions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodWrites;
import io.slipway.workload.kruise.pod.RecentWrites;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.WorkloadLedger;
import io.slipway.workload.operator.WorkloadConfig;
import io.slipway.workload.progress.RolloutPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles SidecarSets: keeps their revisions, counts the pods they match, upgrades those pods' sidecars in place
 * and puts upgraded pods back into service, and reports what it saw. A thin edge around {@link SidecarSetUpgrade},
 * which decides; this class reads the cluster, carries the plan out concurrently and records it. Pods of every
 * namespace are watched and mapped to the SidecarSets that injected them (the only pods a SidecarSet acts on).
 */
@jakarta.inject.Singleton
// without comparable resource versions, as StatefulSetReconciler and for the same reason: JOSDK 5.3.2 drops an event
// that lands while the controller's own status patch is in flight (a node appearing for a job, a pod for a SidecarSet)
@ControllerConfiguration(name = "sidecarset", informer = @Informer(comparableResourceVersions = false))
public class SidecarSetReconciler implements Reconciler<SidecarSet> {
    private static final Logger LOG = Logger.getLogger(SidecarSetReconciler.class);
    /** Kruise's label on a SidecarSet's ControllerRevisions. */
    public static final String NAME_LABEL = "kruise.io/sidecarset-name";
    public static final String PAUSED = RolloutPhase.PAUSED;
    public static final String BLOCKED = RolloutPhase.BLOCKED;
    public static final String ROLLED_OUT = RolloutPhase.FINISHED;
    /** What happens to a SidecarSet's pods, in its own words (a pod that goes away is not its event). */
    public static final Observation.Words WORDS = new Observation.Words("SidecarInjected", "SidecarUpgraded", "SidecarInjected", null);
    private static final Duration RECHECK = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final WorkloadLedger ledger;
    private final String revisionNamespace;
    private final PodWrites writes = new PodWrites();
    private final RecentWrites recent = new RecentWrites();
    private InformerEventSource<Pod, SidecarSet> pods;
    private InformerEventSource<ControllerRevision, SidecarSet> revisions;
    private InformerEventSource<Namespace, SidecarSet> namespaces;

    public SidecarSetReconciler(KubernetesClient client, WorkloadLedger ledger, WorkloadConfig config) {
        this.client = client;
        this.ledger = ledger;
        this.revisionNamespace = config.revisionNamespace().orElse(Objects.toString(client.getNamespace(), "default"));
    }

    @Override
    public List<EventSource<?, SidecarSet>> prepareEventSources(EventSourceContext<SidecarSet> context) {
        var sets = context.getPrimaryCache();
        pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, SidecarSet.class).withName("sidecarset-pods")
                .withSecondaryToPrimaryMapper(pod -> PodSidecars.injectedBy(pod).stream().map(ResourceID::new).collect(Collectors.toSet()))
                .build(), context);
        revisions = new InformerEventSource<>(InformerEventSourceConfiguration.from(ControllerRevision.class, SidecarSet.class)
                .withName("sidecarset-revisions").withNamespaces(Set.of(revisionNamespace)).withLabelSelector(NAME_LABEL)
                .withSecondaryToPrimaryMapper(r -> Set.of(new ResourceID(r.getMetadata().getLabels().get(NAME_LABEL)))).build(), context);
        namespaces = new InformerEventSource<>(InformerEventSourceConfiguration.from(Namespace.class, SidecarSet.class)
                .withName("sidecarset-namespaces")
                .withSecondaryToPrimaryMapper(ns -> sets.list(s -> s.getSpec() != null && s.getSpec().namespaceSelector != null)
                        .map(ResourceID::fromResource).collect(Collectors.toSet())).build(), context);
        return List.of(pods, revisions, namespaces);
    }

    @Override
    public UpdateControl<SidecarSet> reconcile(SidecarSet set, Context<SidecarSet> context) {
        Instant now = Instant.now();
        String name = set.getMetadata().getName();
        SidecarRevision latest = SidecarRevision.of(set);
        List<ControllerRevision> kept = revisions.list(revisionNamespace, r -> name.equals(r.getMetadata().getLabels().get(NAME_LABEL))).toList();
        Map<String, PodTemplateSpec> templates = new HashMap<>();
        kept.forEach(r -> templates.put(r.getMetadata().getName(), Revisions.template(r)));
        if (!templates.containsKey(latest.name())) {
            createRevision(set, latest, kept.stream().mapToLong(ControllerRevision::getRevision).max().orElse(0) + 1);
        }
        templates.put(latest.name(), latest.template());

        List<Pod> matched = recent.overlay(pods.list(p -> PodSidecars.injectedBy(p).contains(name)).toList(), null,
                p -> PodSidecars.injectedBy(p).contains(name)).stream()
                .filter(p -> SidecarSetMatch.selects(set, p, namespaceLabels(p.getMetadata().getNamespace()))).toList();
        var plan = SidecarSetUpgrade.plan(new SidecarSetUpgrade.Input(set, latest, matched, templates, now));
        carryOut(set, plan, now);

        ledger.record(observe(set, matched, plan, latest));
        pruneRevisions(set, kept, latest, matched);

        SidecarSetStatus status = plan.status();
        conditions(status, plan, set, now);
        boolean changed = !Objects.equals(set.getStatus() == null ? null : Serialization.asJson(set.getStatus()), Serialization.asJson(status));
        set.setStatus(status);
        UpdateControl<SidecarSet> control = changed ? UpdateControl.patchStatus(set) : UpdateControl.noUpdate();
        if (plan.phase() == SidecarSetUpgrade.Phase.PROGRESSING) {
            control.rescheduleAfter(RECHECK); // a pod event normally comes first; this covers a write that lost a race
        }
        return control;
    }

    private Map<String, String> namespaceLabels(String namespace) {
        return namespaces.get(new ResourceID(namespace)).map(ns -> ns.getMetadata().getLabels()).orElse(Map.of());
    }

    private void carryOut(SidecarSet set, SidecarSetUpgrade.Plan plan, Instant now) {
        List<Supplier<Pod>> batch = new ArrayList<>();
        for (var upgrade : plan.upgrades()) {
            LOG.debugf("SidecarSet %s: upgrading pod %s/%s in place (%s)", set.getMetadata().getName(), upgrade.pod().getMetadata().getNamespace(),
                    upgrade.pod().getMetadata().getName(), upgrade.diff().images());
            batch.add(() -> {
                Pod pod = upgrade.pod();
                if (upgrade.closeGate() && InPlaceUpdate.hasReadinessGate(pod) && !InPlaceUpdate.inProgress(pod)) {
                    pod = PodWrites.gate(client, pod, false, "StartSidecarUpgrade", now);
                    recent.written(pod);
                }
                return change(pod, upgrade.diff(), upgrade.revision(), now);
            });
        }
        for (var reset : plan.resets()) {
            LOG.debugf("SidecarSet %s: pod %s/%s handed over, resetting %s", set.getMetadata().getName(), reset.pod().getMetadata().getNamespace(),
                    reset.pod().getMetadata().getName(), reset.diff().images().keySet());
            batch.add(() -> change(reset.pod(), reset.diff(), reset.revision(), now));
        }
        for (Pod p : plan.openGates()) {
            batch.add(() -> {
                Pod pod = PodWrites.gate(client, p, true, "SidecarsReady", now);
                recent.written(pod);
                return pod;
            });
        }
        var result = writes.run(batch);
        if (result.conflicts() > 0) {
            LOG.debugf("SidecarSet %s: %d pod write(s) lost a race; the next look retries them", set.getMetadata().getName(), result.conflicts());
        }
    }

    /**
     * The pod's sidecar images and annotations changed as planned: a JSON patch guarded by what it was planned from
     * (see {@link InPlaceUpdate#patch}) and by the working containers of hot sidecars, not a PUT at the resourceVersion
     * read, which the kubelet's status write after the gate closes would make fail.
     */
    private Pod change(Pod pod, InPlaceUpdate.Diff diff, String revision, Instant now) {
        Pod applied = InPlaceUpdate.apply(pod, diff, Map.of(), revision, now);
        // resource(pod), not withName: fabric8 would GET the pod first to have an item to patch
        Pod written = PodWrites.guarded(() -> client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod)
                .patch(PatchContext.of(PatchType.JSON), InPlaceUpdate.patch(pod, applied, List.of(HotUpgrade.WORKING_ANNOTATION))));
        recent.written(written);
        return written;
    }

    private void createRevision(SidecarSet set, SidecarRevision latest, long number) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, set.getMetadata().getName());
        if (set.getSpec().customVersion != null && !set.getSpec().customVersion.isEmpty()) {
            labels.put(SidecarSetConversion.CUSTOM_VERSION_LABEL, set.getSpec().customVersion);
        }
        ControllerRevision revision = Revisions.build(set, latest.name(), latest.template(), number, labels);
        revision.getMetadata().setNamespace(revisionNamespace);
        try {
            client.apps().controllerRevisions().inNamespace(revisionNamespace).resource(revision).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** Keeps the latest revision, those pods run, and the newest {@code revisionHistoryLimit} (10 by default) in all. */
    private void pruneRevisions(SidecarSet set, List<ControllerRevision> kept, SidecarRevision latest, List<Pod> matched) {
        int limit = Math.max(1, set.getSpec().revisionHistoryLimit == null ? 10 : set.getSpec().revisionHistoryLimit);
        if (kept.size() <= limit) {
            return;
        }
        List<String> inUse = new ArrayList<>(List.of(latest.name()));
        matched.forEach(p -> inUse.add(PodSidecars.controllerRevision(p, set.getMetadata().getName())));
        List<ControllerRevision> spare = kept.stream().filter(r -> !inUse.contains(r.getMetadata().getName()))
                .sorted(Comparator.comparingLong(ControllerRevision::getRevision)).toList();
        for (ControllerRevision r : spare.subList(0, Math.min(spare.size(), kept.size() - limit))) {
            client.apps().controllerRevisions().inNamespace(revisionNamespace).withName(r.getMetadata().getName()).delete();
        }
    }

    private static Observation observe(SidecarSet set, List<Pod> matched, SidecarSetUpgrade.Plan plan, SidecarRevision latest) {
        Map<String, Observation.PodSeen> seen = new LinkedHashMap<>();
        for (Pod p : matched) {
            if (p.getMetadata().getDeletionTimestamp() == null) {
                seen.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
                        new Observation.PodSeen(p.getMetadata().getUid(), PodSidecars.controllerRevision(p, set.getMetadata().getName())));
            }
        }
        String phase = switch (plan.phase()) {
            case PROGRESSING -> "SidecarUpgradeProgressing";
            case PAUSED -> "SidecarUpgradePaused";
            case BLOCKED -> "SidecarUpgradeBlocked";
            case FINISHED -> "SidecarUpgradeFinished";
        };
        return new Observation(set.getMetadata().getUid(), SidecarSet.KIND, null, set.getMetadata().getName(),
                Objects.requireNonNullElse(set.getMetadata().getGeneration(), 0L), seen, latest.name(), phase, plan.reason(), WORDS);
    }

    private static void conditions(SidecarSetStatus status, SidecarSetUpgrade.Plan plan, SidecarSet set, Instant now) {
        Long generation = set.getMetadata().getGeneration();
        var phase = plan.phase();
        boolean paused = phase == SidecarSetUpgrade.Phase.PAUSED;
        boolean blocked = phase == SidecarSetUpgrade.Phase.BLOCKED;
        boolean finished = phase == SidecarSetUpgrade.Phase.FINISHED;
        Conditions.set(status.conditions, PAUSED, paused ? "True" : "False", paused ? "UpgradePaused" : "NotPaused", paused ? plan.reason() : "",
                now, generation);
        Conditions.set(status.conditions, BLOCKED, blocked ? "True" : "False", blocked ? "ChangeBeyondImages" : "NotBlocked",
                blocked ? plan.reason() : "", now, generation);
        Conditions.set(status.conditions, ROLLED_OUT, finished ? "True" : "False", finished ? "UpgradeFinished" : "UpgradeProgressing",
                plan.reason(), now, generation);
    }
}
