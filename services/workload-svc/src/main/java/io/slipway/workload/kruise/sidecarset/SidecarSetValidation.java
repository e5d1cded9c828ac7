package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.LabelSelectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the SidecarSet validating webhook refuses, each problem naming its field as the API server names fields
 * ({@code spec.containers[1].name: Duplicate value: "proxy"}): Kruise's rules, plus what Slipway does not support yet
 * (refused rather than ignored, so nobody relies on it silently). Pure: the other SidecarSets are given.
 */
public final class SidecarSetValidation {
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9-]+$");
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern PERCENT = Pattern.compile("^[0-9]+%$");
    private static final Set<String> PATCH_POLICIES = Set.of("Retain", "Overwrite", "MergePatchJson");

    private SidecarSetValidation() {
    }

    /** The problems of {@code set} (v1beta1) among {@code others}, the SidecarSets the cluster has; empty when it is valid. */
    public static List<String> problems(SidecarSet set, List<SidecarSet> others) {
        List<String> p = new ArrayList<>();
        String name = set.getMetadata() == null ? null : set.getMetadata().getName();
        if (name != null && (!NAME.matcher(name).matches() || name.length() > 63)) {
            p.add("metadata.name: Invalid value: \"" + name + "\": a SidecarSet's name has at most 63 letters, digits or '-'");
        }
        SidecarSetSpec spec = set.getSpec();
        if (spec == null) {
            p.add("spec: Required value");
            return p;
        }
        selector(p, spec.selector, "spec.selector", true);
        if (spec.namespaceSelector != null) {
            selector(p, spec.namespaceSelector, "spec.namespaceSelector", false);
        }
        containers(p, spec);
        updateStrategy(p, spec.updateStrategy);
        if (spec.injectionStrategy != null && spec.injectionStrategy.revision != null) {
            p.add("spec.injectionStrategy.revision: Forbidden: injecting a chosen revision is not supported by Slipway yet;"
                    + " new pods get the latest revision");
        }
        patchPodMetadata(p, spec.patchPodMetadata);
        if (p.isEmpty()) {
            conflicts(p, set, others);
        }
        return p;
    }

    private static void selector(List<String> p, LabelSelector s, String path, boolean required) {
        if (s == null) {
            if (required) {
                p.add(path + ": Required value: a SidecarSet must select the pods it injects");
            }
            return;
        }
        if (LabelSelectors.empty(s)) {
            p.add(path + ": Invalid value: {}: an empty selector is not valid for a SidecarSet");
        }
        p.addAll(LabelSelectors.problems(s, path));
    }

    private static void containers(List<String> p, SidecarSetSpec spec) {
        List<SidecarContainer> inits = spec.initContainers == null ? List.of() : spec.initContainers;
        List<SidecarContainer> containers = spec.containers == null ? List.of() : spec.containers;
        if (inits.isEmpty() && containers.isEmpty()) {
            p.add("spec.containers: Required value: a SidecarSet needs a container or an init container");
        }
        Set<String> volumes = new HashSet<>();
        List<Volume> vs = spec.volumes == null ? List.of() : spec.volumes;
        for (int i = 0; i < vs.size(); i++) {
            String v = vs.get(i).getName();
            if (v == null || v.isEmpty()) {
                p.add("spec.volumes[" + i + "].name: Required value");
            } else if (!volumes.add(v)) {
                p.add("spec.volumes[" + i + "].name: Duplicate value: \"" + v + "\"");
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < inits.size(); i++) {
            container(p, inits.get(i), "spec.initContainers[" + i + "]", names, volumes, false);
        }
        for (int i = 0; i < containers.size(); i++) {
            container(p, containers.get(i), "spec.containers[" + i + "]", names, volumes, true);
        }
    }

    private static void container(List<String> p, SidecarContainer c, String path, Set<String> names, Set<String> volumes, boolean sidecar) {
        String name = c.getName();
        if (name == null || name.isEmpty()) {
            p.add(path + ".name: Required value");
        } else if (!DNS_LABEL.matcher(name).matches() || name.length() > 63) {
            p.add(path + ".name: Invalid value: \"" + name + "\": a container's name is a DNS label (lower case letters, digits, '-')");
        } else if (!names.add(name)) {
            p.add(path + ".name: Duplicate value: \"" + name + "\": the SidecarSet injects another container of that name");
        }
        if (c.getImage() == null || c.getImage().isBlank()) {
            p.add(path + ".image: Required value");
        }
        if (sidecar && c.podInjectPolicy != null && !c.podInjectPolicy.isEmpty()
                && !SidecarInjection.BEFORE_APP_CONTAINER.equals(c.podInjectPolicy) && !SidecarInjection.AFTER_APP_CONTAINER.equals(c.podInjectPolicy)) {
            p.add(path + ".podInjectPolicy: Unsupported value: \"" + c.podInjectPolicy + "\": supported values: BeforeAppContainer, AfterAppContainer");
        }
        for (var share : java.util.Arrays.asList(c.shareVolumePolicy, c.shareVolumeDevicePolicy)) {
            if (share != null && share.type != null && !share.type.isEmpty() && !share.type.equals("enabled") && !share.type.equals("disabled")) {
                String field = share == c.shareVolumePolicy ? "shareVolumePolicy" : "shareVolumeDevicePolicy";
                p.add(path + "." + field + ".type: Unsupported value: \"" + share.type + "\": supported values: enabled, disabled");
            }
        }
        upgradeStrategy(p, c, path, sidecar, names);
        if (c.resourcesPolicy != null) {
            p.add(path + ".resourcesPolicy: Forbidden: resources computed from the pod's containers are not supported by Slipway yet;"
                    + " set resources instead");
        }
        List<VolumeMount> mounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts();
        for (int j = 0; j < mounts.size(); j++) {
            String v = mounts.get(j).getName();
            boolean shares = c.shareVolumePolicy != null && "enabled".equals(c.shareVolumePolicy.type);
            if (v != null && !volumes.contains(v) && !shares) {
                p.add(path + ".volumeMounts[" + j + "].name: Not found: \"" + v + "\": not a volume of the SidecarSet (spec.volumes)");
            }
        }
    }

    /**
     * ColdUpgrade or HotUpgrade; a hot sidecar needs an empty image other than its image, becomes two containers whose
     * names ({@code <name>-1}, {@code <name>-2}) must be free and fit 63 characters, and is no init container.
     */
    private static void upgradeStrategy(List<String> p, SidecarContainer c, String path, boolean sidecar, Set<String> names) {
        String type = c.upgradeStrategy == null ? null : c.upgradeStrategy.upgradeType;
        if (type == null || type.isEmpty() || "ColdUpgrade".equals(type)) {
            return;
        }
        if (!HotUpgrade.TYPE.equals(type)) {
            p.add(path + ".upgradeStrategy.upgradeType: Unsupported value: \"" + type + "\": supported values: ColdUpgrade, HotUpgrade");
            return;
        }
        if (!sidecar) {
            p.add(path + ".upgradeStrategy.upgradeType: Forbidden: an init container runs once when the pod starts; it has nothing to hand over");
            return;
        }
        String empty = c.upgradeStrategy.hotUpgradeEmptyImage;
        if (empty == null || empty.isBlank()) {
            p.add(path + ".upgradeStrategy.hotUpgradeEmptyImage: Required value: HotUpgrade runs this image in the idle one of the sidecar's"
                    + " two containers");
        } else if (empty.equals(c.getImage())) {
            p.add(path + ".upgradeStrategy.hotUpgradeEmptyImage: Invalid value: \"" + empty + "\": must differ from the sidecar's image,"
                    + " or an upgrade could not tell the idle container from the working one");
        }
        String name = c.getName();
        if (name != null && name.length() > 61) {
            p.add(path + ".name: Invalid value: \"" + name + "\": a HotUpgrade sidecar's containers are " + name + "-1 and -2, longer than 63 characters");
        }
        for (String podName : name == null ? List.<String>of() : HotUpgrade.podNames(c)) {
            if (!names.add(podName)) {
                p.add(path + ".name: Duplicate value: \"" + podName + "\": HotUpgrade injects " + name + " as " + name + "-1 and " + name
                        + "-2, and the SidecarSet injects another container of that name");
            }
        }
    }

    /**
     * What a change of {@code old} into {@code set} must not do, as Kruise refuses it: change a container's
     * upgradeType (the pods it injected have one container, or two, for the other type).
     */
    public static List<String> changes(SidecarSet set, SidecarSet old) {
        List<String> p = new ArrayList<>();
        if (old == null || old.getSpec() == null || set.getSpec() == null) {
            return p;
        }
        Map<String, Boolean> wasHot = new HashMap<>();
        list(old.getSpec().containers).forEach(c -> wasHot.put(c.getName(), HotUpgrade.hot(c)));
        List<SidecarContainer> containers = list(set.getSpec().containers);
        for (int i = 0; i < containers.size(); i++) {
            SidecarContainer c = containers.get(i);
            Boolean hot = wasHot.get(c.getName());
            if (hot != null && hot != HotUpgrade.hot(c)) {
                p.add("spec.containers[" + i + "].upgradeStrategy.upgradeType: Invalid value: \"" + (HotUpgrade.hot(c) ? "HotUpgrade" : "ColdUpgrade")
                        + "\": container " + c.getName() + "'s upgradeType is immutable (its pods were injected with "
                        + (hot ? "two containers" : "one container") + "); create a new SidecarSet or a new container name instead");
            }
        }
        return p;
    }

    private static void updateStrategy(List<String> p, SidecarSetSpecFields.UpdateStrategy u) {
        if (u == null) {
            return;
        }
        String path = "spec.updateStrategy";
        if (u.type != null && !u.type.isEmpty() && !u.type.equals("RollingUpdate") && !u.type.equals("NotUpdate")) {
            p.add(path + ".type: Unsupported value: \"" + u.type + "\": supported values: RollingUpdate, NotUpdate");
        }
        boolean rolling = u.type == null || u.type.isEmpty() || u.type.equals("RollingUpdate");
        if (rolling && u.selector != null && partitionSet(u.partition)) {
            p.add(path + ".partition: Invalid value: " + show(u.partition) + ": partition and selector cannot be used together");
        }
        if (u.selector != null) {
            selector(p, u.selector, path + ".selector", false);
        }
        intOrPercent(p, u.partition, path + ".partition", true);
        intOrPercent(p, u.maxUnavailable, path + ".maxUnavailable", false);
    }

    private static boolean partitionSet(IntOrString partition) {
        return partition != null && (partition.getStrVal() != null || partition.getIntVal() != null && partition.getIntVal() != 0);
    }

    private static void intOrPercent(List<String> p, IntOrString v, String path, boolean zeroAllowed) {
        if (v == null) {
            return;
        }
        if (v.getStrVal() != null) {
            if (!PERCENT.matcher(v.getStrVal()).matches()) {
                p.add(path + ": Invalid value: \"" + v.getStrVal() + "\": must be an integer or a percentage (e.g. '5%')");
            } else if (!zeroAllowed && Integer.parseInt(v.getStrVal().substring(0, v.getStrVal().length() - 1)) == 0) {
                p.add(path + ": Invalid value: \"" + v.getStrVal() + "\": must be above 0% (nothing would ever be upgraded)");
            }
        } else if (v.getIntVal() != null && v.getIntVal() < 0) {
            p.add(path + ": Invalid value: " + v.getIntVal() + ": must be greater than or equal to 0");
        } else if (!zeroAllowed && v.getIntVal() != null && v.getIntVal() == 0) {
            p.add(path + ": Invalid value: 0: must be at least 1 (nothing would ever be upgraded)");
        }
    }

    private static void patchPodMetadata(List<String> p, List<SidecarSetSpecFields.PatchPodMetadata> patches) {
        if (patches == null) {
            return;
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < patches.size(); i++) {
            var patch = patches.get(i);
            String path = "spec.patchPodMetadata[" + i + "]";
            if (patch.annotations == null || patch.annotations.isEmpty()) {
                p.add(path + ".annotations: Required value: no annotations to patch");
            } else {
                for (String k : patch.annotations.keySet()) {
                    if (!keys.add(k)) {
                        p.add(path + ".annotations: Duplicate value: \"" + k + "\": patched twice");
                    }
                }
            }
            if (patch.patchPolicy != null && !patch.patchPolicy.isEmpty() && !PATCH_POLICIES.contains(patch.patchPolicy)) {
                p.add(path + ".patchPolicy: Unsupported value: \"" + patch.patchPolicy + "\": supported values: Retain, Overwrite, MergePatchJson");
            }
        }
    }

    /**
     * Another SidecarSet that can select the same pods (namespace selectors and selectors overlap) must not inject a
     * container of the same name, nor a different volume of the same name, nor overwrite the same annotation.
     */
    private static void conflicts(List<String> p, SidecarSet set, List<SidecarSet> others) {
        String self = set.getMetadata().getName();
        SidecarSetSpec spec = set.getSpec();
        for (SidecarSet other : others) {
            if (other.getMetadata().getName().equals(self) || other.getSpec() == null || !overlap(spec, other.getSpec())) {
                continue;
            }
            String why = "SidecarSet " + other.getMetadata().getName() + ", whose selector can select the same pods, ";
            Set<String> theirs = new HashSet<>();
            list(other.getSpec().initContainers).forEach(c -> theirs.add(c.getName()));
            list(other.getSpec().containers).forEach(c -> theirs.addAll(HotUpgrade.podNames(c)));
            for (String field : List.of("initContainers", "containers")) {
                List<SidecarContainer> mine = field.equals("containers") ? list(spec.containers) : list(spec.initContainers);
                for (int i = 0; i < mine.size(); i++) {
                    for (String podName : HotUpgrade.podNames(mine.get(i))) {
                        if (theirs.contains(podName)) {
                            p.add("spec." + field + "[" + i + "].name: Invalid value: \"" + mine.get(i).getName() + "\": " + why
                                    + "injects a container named " + podName);
                        }
                    }
                }
            }
            Map<String, Volume> theirVolumes = new HashMap<>();
            list(other.getSpec().volumes).forEach(v -> theirVolumes.put(v.getName(), v));
            List<Volume> mine = list(spec.volumes);
            for (int i = 0; i < mine.size(); i++) {
                Volume theirsV = theirVolumes.get(mine.get(i).getName());
                if (theirsV != null && !Objects.equals(Serialization.asJson(theirsV), Serialization.asJson(mine.get(i)))) {
                    p.add("spec.volumes[" + i + "].name: Invalid value: \"" + mine.get(i).getName() + "\": " + why
                            + "has a different volume of that name");
                }
            }
            annotationConflicts(p, spec, other.getSpec(), why);
        }
    }

    private static void annotationConflicts(List<String> p, SidecarSetSpec spec, SidecarSetSpec other, String why) {
        Map<String, String> theirs = new HashMap<>();
        for (var patch : list(other.patchPodMetadata)) {
            if (patch.annotations != null && !"Retain".equals(policy(patch))) {
                patch.annotations.keySet().forEach(k -> theirs.put(k, policy(patch)));
            }
        }
        List<SidecarSetSpecFields.PatchPodMetadata> mine = list(spec.patchPodMetadata);
        for (int i = 0; i < mine.size(); i++) {
            var patch = mine.get(i);
            if (patch.annotations == null || "Retain".equals(policy(patch))) {
                continue;
            }
            for (String k : patch.annotations.keySet()) {
                String their = theirs.get(k);
                if (their != null && ("Overwrite".equals(policy(patch)) || "Overwrite".equals(their))) {
                    p.add("spec.patchPodMetadata[" + i + "].annotations: Invalid value: \"" + k + "\": " + why + "also sets it");
                }
            }
        }
    }

    private static String policy(SidecarSetSpecFields.PatchPodMetadata patch) {
        return patch.patchPolicy == null || patch.patchPolicy.isEmpty() ? "Retain" : patch.patchPolicy;
    }

    /** Whether two SidecarSets can select one pod: their namespace selectors (absent: every namespace) and selectors overlap. */
    static boolean overlap(SidecarSetSpec a, SidecarSetSpec b) {
        boolean namespaces = a.namespaceSelector == null || b.namespaceSelector == null
                || LabelSelectors.overlap(a.namespaceSelector, b.namespaceSelector);
        return namespaces && LabelSelectors.overlap(a.selector, b.selector);
    }

    private static String show(IntOrString v) {
        return v.getStrVal() != null ? "\"" + v.getStrVal() + "\"" : String.valueOf(v.getIntVal());
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
