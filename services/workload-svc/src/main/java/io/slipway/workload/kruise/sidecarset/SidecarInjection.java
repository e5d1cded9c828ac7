package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeDevice;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the pod admission webhook does to a pod being created, as Kruise's does: every SidecarSet that selects it (and
 * whose injection is not paused) adds its containers (BeforeAppContainer ones before the pod's own, AfterAppContainer
 * ones after), its init containers (after the pod's own, by name), the volumes they mount (a pod's own volume of the
 * same name wins), its pull secrets and pod annotations, and records the revision in the pod's annotations. Pods that
 * get sidecars also get the {@code InPlaceUpdateReady} readiness gate, so an upgrade of a sidecar can take the pod out
 * of service. A HotUpgrade sidecar becomes two containers ({@link HotUpgrade}). Pure.
 */
public final class SidecarInjection {
    public static final String BEFORE_APP_CONTAINER = "BeforeAppContainer";
    public static final String AFTER_APP_CONTAINER = "AfterAppContainer";
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final Set<String> SIDECAR_FIELDS = Set.of("podInjectPolicy", "upgradeStrategy", "shareVolumePolicy",
            "shareVolumeDevicePolicy", "transferEnv", "resourcesPolicy");
    private static final String SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static final Pattern SUB_PATH_ENV = Pattern.compile("\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");
    private static final Pattern FIELD_KEY = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private SidecarInjection() {
    }

    /** The pod after injection and the SidecarSets that injected it; or why the pod must not be created. */
    public record Outcome(Pod pod, List<String> sidecarSets, String refusal) {
        public boolean allowed() {
            return refusal == null;
        }

        public boolean changed() {
            return !sidecarSets.isEmpty();
        }
    }

    /**
     * Injects into {@code pod} (in {@code namespace}, whose labels are {@code namespaceLabels}) the sidecars of the
     * SidecarSets of {@code all} that select it. The pod itself is not changed.
     */
    public static Outcome inject(Pod pod, String namespace, Map<String, String> namespaceLabels, List<SidecarSet> all, Instant now) {
        if (PodState.terminating(pod) || PodState.finished(pod)) {
            return new Outcome(pod, List.of(), null);
        }
        Map<String, String> nsLabels = SidecarSetMatch.namespaceLabels(namespace, namespaceLabels);
        List<SidecarSet> matched = all.stream().filter(s -> !SidecarSetMatch.injectionPaused(s) && SidecarSetMatch.selects(s, pod, nsLabels))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName())).toList();
        if (matched.isEmpty()) {
            return new Outcome(pod, List.of(), null);
        }
        String conflict = conflicts(pod, namespace, matched);
        if (conflict != null) {
            return new Outcome(pod, List.of(), conflict);
        }
        Pod out = Serialization.clone(pod);
        if (out.getMetadata().getNamespace() == null) {
            out.getMetadata().setNamespace(namespace);
        }
        List<Container> appContainers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        List<Container> before = new ArrayList<>();
        List<Container> after = new ArrayList<>();
        List<Container> inits = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        List<LocalObjectReference> secrets = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>(out.getMetadata().getAnnotations() == null ? Map.of() : out.getMetadata().getAnnotations());
        for (SidecarSet set : matched) {
            SidecarSetSpec spec = set.getSpec();
            Map<String, Volume> setVolumes = new LinkedHashMap<>();
            if (spec.volumes != null) {
                spec.volumes.forEach(v -> setVolumes.put(v.getName(), v));
            }
            List<String> sidecars = new ArrayList<>();
            for (SidecarContainer c : list(spec.initContainers)) {
                inits.add(container(c, pod, appContainers));
                volumes.addAll(usedVolumes(c, setVolumes));
            }
            List<String> hot = new ArrayList<>();
            for (SidecarContainer c : list(spec.containers)) {
                Container injected = container(c, pod, appContainers);
                (AFTER_APP_CONTAINER.equals(c.podInjectPolicy) ? after : before).addAll(HotUpgrade.hot(c) ? HotUpgrade.expand(injected, c) : List.of(injected));
                volumes.addAll(usedVolumes(c, setVolumes));
                sidecars.add(c.getName());
                if (HotUpgrade.hot(c)) {
                    hot.add(c.getName());
                }
            }
            HotUpgrade.recordInjected(annotations, hot);
            if (spec.imagePullSecrets != null) {
                secrets.addAll(spec.imagePullSecrets);
            }
            patchMetadata(annotations, spec.patchPodMetadata);
            annotations.putAll(PodSidecars.record(annotations, set.getMetadata().getName(), SidecarRevision.of(set), sidecars, now));
        }
        inits.sort(Comparator.comparing(Container::getName));
        out.getSpec().setInitContainers(merge(out.getSpec().getInitContainers(), List.of(), inits));
        out.getSpec().setContainers(merge(out.getSpec().getContainers(), before, after));
        out.getSpec().setVolumes(mergeByName(out.getSpec().getVolumes(), volumes, Volume::getName));
        out.getSpec().setImagePullSecrets(mergeByName(out.getSpec().getImagePullSecrets(), secrets, LocalObjectReference::getName));
        out.getMetadata().setAnnotations(annotations);
        InPlaceUpdate.addReadinessGate(out.getSpec());
        return new Outcome(out, matched.stream().map(s -> s.getMetadata().getName()).toList(), null);
    }

    /** Two SidecarSets that both inject one container name into this pod: the pod would be invalid, say which. */
    private static String conflicts(Pod pod, String namespace, List<SidecarSet> matched) {
        Map<String, String> owner = new LinkedHashMap<>();
        for (SidecarSet set : matched) {
            Set<String> names = new LinkedHashSet<>();
            list(set.getSpec().initContainers).forEach(c -> names.add(c.getName()));
            list(set.getSpec().containers).forEach(c -> names.addAll(HotUpgrade.podNames(c)));
            for (String name : names) {
                String other = owner.putIfAbsent(name, set.getMetadata().getName());
                if (other != null) {
                    return "pod " + namespace + "/" + Objects.toString(pod.getMetadata().getName(), pod.getMetadata().getGenerateName() + "*")
                            + " is selected by SidecarSets " + other + " and " + set.getMetadata().getName()
                            + ", which both inject a container named \"" + name + "\"; change the selector of one of them or rename the container";
                }
            }
        }
        return null;
    }

    /** The container a sidecar becomes in this pod: marked injected, with the env it transfers and the mounts it shares. */
    private static Container container(SidecarContainer sidecar, Pod pod, List<Container> appContainers) {
        ObjectNode tree = JSON.valueToTree(sidecar);
        SIDECAR_FIELDS.forEach(tree::remove);
        Container c = JSON.convertValue(tree, Container.class);
        List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
        env.removeIf(e -> PodSidecars.INJECTED_ENV.equals(e.getName()));
        env.add(new EnvVar(PodSidecars.INJECTED_ENV, "true", null));
        List<EnvVar> additional = new ArrayList<>(transferredEnv(sidecar, pod, appContainers));
        if (sidecar.shareVolumePolicy != null && "enabled".equals(sidecar.shareVolumePolicy.type)) {
            List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
            Set<String> paths = new LinkedHashSet<>();
            mounts.forEach(m -> paths.add(m.getMountPath()));
            for (Container app : appContainers) {
                for (VolumeMount m : app.getVolumeMounts() == null ? List.<VolumeMount>of() : app.getVolumeMounts()) {
                    if (SERVICE_ACCOUNT_MOUNT.equals(m.getMountPath()) || !paths.add(m.getMountPath())) {
                        continue;
                    }
                    mounts.add(m);
                    if (m.getSubPathExpr() != null) {
                        Matcher vars = SUB_PATH_ENV.matcher(m.getSubPathExpr());
                        while (vars.find()) {
                            envOf(app, vars.group(1)).ifPresent(additional::add);
                        }
                    }
                }
            }
            c.setVolumeMounts(mounts);
        }
        if (sidecar.shareVolumeDevicePolicy != null && "enabled".equals(sidecar.shareVolumeDevicePolicy.type)) {
            List<VolumeDevice> devices = new ArrayList<>(c.getVolumeDevices() == null ? List.of() : c.getVolumeDevices());
            Set<String> paths = new LinkedHashSet<>();
            devices.forEach(d -> paths.add(d.getDevicePath()));
            for (Container app : appContainers) {
                for (VolumeDevice d : app.getVolumeDevices() == null ? List.<VolumeDevice>of() : app.getVolumeDevices()) {
                    if (paths.add(d.getDevicePath())) {
                        devices.add(d);
                    }
                }
            }
            c.setVolumeDevices(devices);
        }
        Set<String> names = new LinkedHashSet<>();
        env.forEach(e -> names.add(e.getName()));
        for (EnvVar e : additional) {
            if (names.add(e.getName())) {
                env.add(e); // the sidecar's own value wins, as in Kruise
            }
        }
        c.setEnv(env);
        return c;
    }

    private static List<EnvVar> transferredEnv(SidecarContainer sidecar, Pod pod, List<Container> appContainers) {
        List<EnvVar> env = new ArrayList<>();
        for (SidecarContainer.TransferEnvVar t : list(sidecar.transferEnv)) {
            String source = t.sourceContainerName;
            if (t.sourceContainerNameFrom != null && t.sourceContainerNameFrom.fieldRef != null) {
                source = fieldOf(pod, t.sourceContainerNameFrom.fieldRef.getFieldPath());
            }
            String from = source;
            Container app = appContainers.stream().filter(c -> c.getName().equals(from)).findFirst().orElse(null);
            if (app == null) {
                continue;
            }
            List<String> names = new ArrayList<>();
            if (t.envName != null && !t.envName.isEmpty()) {
                names.add(t.envName);
            }
            names.addAll(list(t.envNames));
            names.forEach(n -> envOf(app, n).ifPresent(env::add));
        }
        return env;
    }

    private static String fieldOf(Pod pod, String path) {
        if ("metadata.name".equals(path)) {
            return pod.getMetadata().getName();
        }
        Matcher m = FIELD_KEY.matcher(path == null ? "" : path);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
        return map == null ? null : map.get(m.group(2));
    }

    private static java.util.Optional<EnvVar> envOf(Container c, String name) {
        return (c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()).stream().filter(e -> name.equals(e.getName())).findFirst();
    }

    private static List<Volume> usedVolumes(SidecarContainer c, Map<String, Volume> setVolumes) {
        List<Volume> used = new ArrayList<>();
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            if (setVolumes.containsKey(m.getName())) {
                used.add(setVolumes.get(m.getName()));
            }
        }
        for (VolumeDevice d : c.getVolumeDevices() == null ? List.<VolumeDevice>of() : c.getVolumeDevices()) {
            if (setVolumes.containsKey(d.getName())) {
                used.add(setVolumes.get(d.getName()));
            }
        }
        return used;
    }

    /** {@code before}, the pod's containers, {@code after}; a sidecar of a name the pod has already takes its place. */
    private static List<Container> merge(List<Container> pod, List<Container> before, List<Container> after) {
        List<Container> own = new ArrayList<>(pod == null ? List.of() : pod);
        List<Container> head = new ArrayList<>();
        List<Container> tail = new ArrayList<>();
        for (Container s : before) {
            if (!replace(own, s)) {
                head.add(s);
            }
        }
        for (Container s : after) {
            if (!replace(own, s)) {
                tail.add(s);
            }
        }
        List<Container> out = new ArrayList<>(head);
        out.addAll(own);
        out.addAll(tail);
        return out;
    }

    private static boolean replace(List<Container> containers, Container sidecar) {
        for (int i = 0; i < containers.size(); i++) {
            if (containers.get(i).getName().equals(sidecar.getName())) {
                containers.set(i, sidecar);
                return true;
            }
        }
        return false;
    }

    private static <T> List<T> mergeByName(List<T> own, List<T> added, java.util.function.Function<T, String> name) {
        List<T> out = new ArrayList<>(own == null ? List.of() : own);
        Set<String> names = new LinkedHashSet<>();
        out.forEach(t -> names.add(name.apply(t)));
        for (T t : added) {
            if (names.add(name.apply(t))) {
                out.add(t);
            }
        }
        return out.isEmpty() && own == null ? null : out;
    }

    /** Kruise's patchPodMetadata: Retain keeps a pod's own value, Overwrite replaces it, MergePatchJson merges JSON objects. */
    static void patchMetadata(Map<String, String> annotations, List<SidecarSetSpecFields.PatchPodMetadata> patches) {
        for (SidecarSetSpecFields.PatchPodMetadata patch : list(patches)) {
            String policy = patch.patchPolicy == null ? "Retain" : patch.patchPolicy;
            if (patch.annotations == null) {
                continue;
            }
            patch.annotations.forEach((k, v) -> {
                String old = annotations.get(k);
                switch (policy) {
                    case "Overwrite" -> annotations.put(k, v);
                    case "MergePatchJson" -> annotations.put(k, old == null ? v : mergeJson(old, v));
                    default -> annotations.putIfAbsent(k, v);
                }
            });
        }
    }

    private static String mergeJson(String old, String patch) {
        try {
            return mergePatch(JSON.readTree(old), JSON.readTree(patch)).toString();
        } catch (Exception e) {
            return patch; // not JSON: nothing to merge, the patch's value is what the SidecarSet asks for
        }
    }

    /** RFC 7386 JSON merge patch, as {@code application/merge-patch+json}. */
    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode p)) {
            return patch;
        }
        ObjectNode out = target instanceof ObjectNode t ? t.deepCopy() : JSON.createObjectNode();
        p.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), mergePatch(out.path(e.getKey()), e.getValue()));
            }
        });
        return out;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
