package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.slipway.workload.kruise.LabelSelectors;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Decides what a SidecarSet's matched pods need next, from the SidecarSet and the pods as they are: which pods upgrade
 * their sidecars in place now (images only: a pod's spec allows no other change), which cannot (and which fields stop
 * them), which finished upgrades put back into service. Kruise's semantics: {@code partition} pods keep the old
 * revision, {@code maxUnavailable} counts upgraded pods not yet ready again (an unready pod upgrades at no cost) and,
 * as Kruise has no such step, pods this controller took out of service whose image change is still to come,
 * {@code selector} narrows the upgrade, {@code paused} and type NotUpdate stop it. Pure.
 */
public final class SidecarSetUpgrade {
    /** What the upgrade as a whole is doing, for status conditions and events. */
    public enum Phase { PROGRESSING, PAUSED, BLOCKED, FINISHED }

    /**
     * A pod to upgrade to {@code revision}: close its gate when a ColdUpgrade sidecar restarts ({@code closeGate}; a
     * hot upgrade keeps the pod in service), change its sidecars' images and annotations.
     */
    public record Upgrade(Pod pod, InPlaceUpdate.Diff diff, String revision, boolean closeGate) {
    }

    /** A pod whose hot sidecars handed over: their old containers go back to the empty image. */
    public record Reset(Pod pod, InPlaceUpdate.Diff diff, String revision) {
    }

    /** A pod that runs an older revision and cannot reach the latest in place: the fields that changed. */
    public record Blocked(Pod pod, List<String> fields) {
    }

    public record Plan(List<Upgrade> upgrades, List<Reset> resets, List<Blocked> blocked, List<Pod> openGates, SidecarSetStatus status,
                       Phase phase, String reason) {
    }

    /**
     * @param pods      the matched pods: selected by the SidecarSet and injected by it
     * @param revisions the pod templates of the revisions still kept, by ControllerRevision name
     */
    public record Input(SidecarSet set, SidecarRevision latest, List<Pod> pods, Map<String, PodTemplateSpec> revisions, Instant now) {
    }

    private SidecarSetUpgrade() {
    }

    public static Plan plan(Input in) {
        String name = in.set().getMetadata().getName();
        List<Pod> pods = in.pods().stream().filter(p -> !PodState.terminating(p)).toList();
        var strategy = in.set().getSpec().updateStrategy == null ? new SidecarSetSpecFields.UpdateStrategy() : in.set().getSpec().updateStrategy;
        boolean notUpdate = "NotUpdate".equals(strategy.type);
        boolean paused = Boolean.TRUE.equals(strategy.paused);

        List<Pod> openGates = new ArrayList<>();
        List<Pod> waiting = new ArrayList<>();
        List<Blocked> blocked = new ArrayList<>();
        Map<Pod, InPlaceUpdate.Diff> diffs = new LinkedHashMap<>();
        List<Reset> resets = new ArrayList<>();
        Map<String, SidecarContainer> hot = HotUpgrade.of(in.set());
        int outdated = 0;
        int unavailable = 0;
        for (Pod p : pods) {
            boolean updated = in.latest().hash().equals(PodSidecars.hash(p, name));
            if (InPlaceUpdate.gateUnset(p) || InPlaceUpdate.inProgress(p) && updated && InPlaceUpdate.completed(p)) {
                openGates.add(p);
            }
            boolean handingOver = handingOver(p, hot);
            // Kruise leaves a paused hand-over as it is, both sidecars running
            Reset reset = handingOver && !notUpdate && !paused ? reset(in, p, name, hot) : null;
            if (reset != null) {
                resets.add(reset);
            }
            if (updated) {
                if (!PodState.ready(p) || InPlaceUpdate.inProgress(p) || !InPlaceUpdate.completed(p) || handingOver) {
                    unavailable++;
                }
                continue;
            }
            outdated++;
            if (InPlaceUpdate.inProgress(p)) {
                unavailable++; // taken out of service for an upgrade whose image change has not happened (it lost a race): it counts
            }
            if (strategy.selector != null && !LabelSelectors.matches(strategy.selector, p.getMetadata().getLabels())) {
                continue;
            }
            List<String> fields = new ArrayList<>(changedFields(in, p, name));
            if (fields.isEmpty()) {
                hot.keySet().stream().filter(n -> HotUpgrade.working(p, n) == null)
                        .forEach(n -> fields.add("spec.containers[" + n + "].upgradeStrategy.upgradeType (the pod has no " + n + "-1 and " + n
                                + "-2 with a working-container annotation: it was injected without HotUpgrade)"));
            }
            if (!fields.isEmpty()) {
                blocked.add(new Blocked(p, fields));
                continue;
            }
            if (reset != null) {
                continue; // its old sidecar goes back to the empty image first, as Kruise does
            }
            waiting.add(p);
            diffs.put(p, diff(in, p, name, hot));
        }

        List<Upgrade> upgrades = new ArrayList<>();
        int partition = partition(strategy.partition, pods.size());
        if (!notUpdate && !paused) {
            waiting.sort(UPGRADE_ORDER);
            int maxUnavailable = scaled(strategy.maxUnavailable, pods.size(), 1);
            for (Pod p : waiting.subList(0, Math.max(0, waiting.size() - partition))) {
                if (PodState.ready(p) && !InPlaceUpdate.inProgress(p)) {
                    if (unavailable >= maxUnavailable) {
                        break;
                    }
                    unavailable++;
                }
                InPlaceUpdate.Diff d = diffs.get(p);
                boolean cold = d.images().keySet().stream().anyMatch(c -> hot.values().stream().noneMatch(h -> HotUpgrade.podNames(h).contains(c)));
                upgrades.add(new Upgrade(p, d, in.latest().hash(), cold));
            }
        }

        SidecarSetStatus status = status(in, pods, name);
        Phase phase;
        String reason;
        if (!blocked.isEmpty()) {
            phase = Phase.BLOCKED;
            reason = blockedReason(blocked, in.latest());
        } else if (outdated > 0 && (paused || notUpdate)) {
            phase = Phase.PAUSED;
            reason = outdated + " pod(s) keep an older revision than " + in.latest().name() + ": "
                    + (notUpdate ? "updateStrategy.type is NotUpdate" : "updateStrategy.paused is true");
        } else if (upgrades.isEmpty() && resets.isEmpty() && waiting.size() <= partition && openGates.isEmpty()
                && Objects.equals(status.updatedReadyPods, status.updatedPods)) {
            phase = Phase.FINISHED;
            reason = status.updatedPods + " of " + pods.size() + " matched pod(s) run revision " + in.latest().name()
                    + (waiting.isEmpty() ? "" : "; " + waiting.size() + " kept back by partition");
        } else {
            phase = Phase.PROGRESSING;
            reason = waiting.size() + " pod(s) to upgrade to revision " + in.latest().name() + ", " + upgrades.size() + " now";
        }
        return new Plan(upgrades, resets, blocked, openGates, status, phase, reason);
    }

    /** Not ready first (their upgrade costs no availability), then the newest, as Kruise orders them. */
    private static final Comparator<Pod> UPGRADE_ORDER = Comparator.comparing((Pod p) -> PodState.ready(p))
            .thenComparing((Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""), Comparator.reverseOrder())
            .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());

    /**
     * The fields other than images that differ between the revision the pod runs and the latest: from the kept
     * revision when there is one, else from the hash without images.
     */
    private static List<String> changedFields(Input in, Pod p, String name) {
        PodTemplateSpec from = in.revisions().get(PodSidecars.controllerRevision(p, name));
        if (from != null) {
            return InPlaceUpdate.diff(from, in.latest().template()).blocking();
        }
        if (in.latest().hashWithoutImage().equals(PodSidecars.hashWithoutImage(p, name))) {
            return List.of();
        }
        return List.of("fields other than images (the pod's revision " + Objects.toString(PodSidecars.controllerRevision(p, name), "unknown")
                + " is no longer kept to name them)");
    }

    /** Whether one of the pod's hot sidecars still has its old container on a real image after a hand-over. */
    private static boolean handingOver(Pod p, Map<String, SidecarContainer> hot) {
        return hot.values().stream().anyMatch(c -> HotUpgrade.handingOver(p, c.getName(), c.upgradeStrategy.hotUpgradeEmptyImage));
    }

    /**
     * The reset of the old containers whose hand-over is done, once the pod is not out of service for a cold upgrade
     * and every changed container runs its new image; null while none is done.
     */
    private static Reset reset(Input in, Pod p, String name, Map<String, SidecarContainer> hot) {
        if (InPlaceUpdate.inProgress(p) || !InPlaceUpdate.completed(p)) {
            return null;
        }
        Map<String, String> images = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        for (SidecarContainer c : hot.values()) {
            String empty = c.upgradeStrategy.hotUpgradeEmptyImage;
            if (HotUpgrade.handingOver(p, c.getName(), empty) && HotUpgrade.handedOver(p, c.getName())) {
                HotUpgrade.reset(p, c.getName(), empty, images, annotations);
            }
        }
        return images.isEmpty() ? null
                : new Reset(p, new InPlaceUpdate.Diff(images, Map.of(), annotations, List.of()), Objects.toString(PodSidecars.hash(p, name), ""));
    }

    /** The pod's sidecar images that change, and the annotations that record the latest revision. */
    private static InPlaceUpdate.Diff diff(Input in, Pod p, String name, Map<String, SidecarContainer> hot) {
        Map<String, String> images = new LinkedHashMap<>();
        for (Container c : p.getSpec().getContainers()) {
            String image = in.latest().image(c.getName());
            if (image != null && !image.equals(c.getImage()) && !hot.containsKey(c.getName())) {
                images.put(c.getName(), image);
            }
        }
        Map<String, String> before = p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations();
        Map<String, String> after = new LinkedHashMap<>(before);
        String version = Objects.requireNonNullElse(in.set().getMetadata().getResourceVersion(),
                String.valueOf(Objects.requireNonNullElse(in.set().getMetadata().getGeneration(), 1L)));
        for (SidecarContainer c : hot.values()) {
            HotUpgrade.upgrade(p, c.getName(), c.getImage(), c.upgradeStrategy.hotUpgradeEmptyImage, version, images, after);
        }
        List<SidecarSetSpecFields.PatchPodMetadata> patches = in.set().getSpec().patchPodMetadata == null ? List.of()
                : in.set().getSpec().patchPodMetadata.stream().filter(m -> m.patchPolicy != null && !"Retain".equals(m.patchPolicy)).toList();
        SidecarInjection.patchMetadata(after, patches); // Retain only applies when a pod is created, as in Kruise
        after.putAll(PodSidecars.record(after, name, in.latest(), PodSidecars.sidecars(p, name), in.now()));
        Map<String, String> changed = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                changed.put(k, v);
            }
        });
        return new InPlaceUpdate.Diff(images, Map.of(), changed, List.of());
    }

    private static SidecarSetStatus status(Input in, List<Pod> pods, String name) {
        SidecarSetStatus s = new SidecarSetStatus();
        s.observedGeneration = in.set().getMetadata().getGeneration();
        Map<String, SidecarContainer> hot = HotUpgrade.of(in.set());
        int updated = 0, ready = 0, updatedReady = 0;
        for (Pod p : pods) {
            boolean isUpdated = in.latest().hash().equals(PodSidecars.hash(p, name));
            boolean isReady = PodState.ready(p) && !InPlaceUpdate.inProgress(p) && InPlaceUpdate.completed(p) && !handingOver(p, hot);
            updated += isUpdated ? 1 : 0;
            ready += isReady ? 1 : 0;
            updatedReady += isUpdated && isReady ? 1 : 0;
        }
        s.matchedPods = pods.size();
        s.updatedPods = updated;
        s.readyPods = ready;
        s.updatedReadyPods = updatedReady;
        s.latestRevision = in.latest().name();
        s.collisionCount = 0;
        if (in.set().getStatus() != null && in.set().getStatus().conditions != null) {
            s.conditions = new ArrayList<>(in.set().getStatus().conditions);
        }
        return s;
    }

    private static String blockedReason(List<Blocked> blocked, SidecarRevision latest) {
        Map<String, List<String>> byFields = new LinkedHashMap<>();
        for (Blocked b : blocked) {
            byFields.computeIfAbsent(String.join(", ", b.fields()), f -> new ArrayList<>())
                    .add(b.pod().getMetadata().getNamespace() + "/" + b.pod().getMetadata().getName());
        }
        return blocked.size() + " pod(s) cannot be upgraded in place to revision " + latest.name() + " (only images can change in a running pod): "
                + byFields.entrySet().stream().map(e -> String.join(", ", e.getValue()) + " (changed " + e.getKey() + ")")
                .collect(Collectors.joining("; "))
                + "; recreate those pods to give them the new sidecars";
    }

    /** Kruise's partition: a number, or a percent of the matched pods rounded up that leaves one pod to upgrade below 100%. */
    static int partition(IntOrString partition, int pods) {
        if (partition == null) {
            return 0;
        }
        int value = scaled(partition, pods, 0);
        if (pods > 1 && value == pods && partition.getStrVal() != null && !"100%".equals(partition.getStrVal())) {
            value = pods - 1;
        }
        return Math.max(0, Math.min(value, pods));
    }

    /** A number, or a percent of {@code total} rounded up. */
    static int scaled(IntOrString v, int total, int absent) {
        if (v == null) {
            return absent;
        }
        if (v.getStrVal() != null) {
            String s = v.getStrVal().trim();
            int percent = Integer.parseInt(s.endsWith("%") ? s.substring(0, s.length() - 1) : s);
            return (int) Math.ceil(percent * total / 100.0);
        }
        return v.getIntVal() == null ? absent : v.getIntVal();
    }
}
