package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.pod.PodState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kruise's hot upgrade of a sidecar, in its own names. A sidecar with {@code upgradeStrategy.upgradeType: HotUpgrade}
 * is injected as two containers: {@code <name>-1} runs the sidecar's image and is the working one, {@code <name>-2}
 * runs {@code hotUpgradeEmptyImage} (an image that only idles). The pod's
 * {@code kruise.io/sidecarset-working-hotupgrade-container} annotation (sidecar name to container name, shared by the
 * pod's hot sidecars) names the working one, and per container {@code version.sidecarset.kruise.io/<container>} and
 * {@code versionalt.sidecarset.kruise.io/<container>}, read by the containers as {@code SIDECARSET_VERSION} and
 * {@code SIDECARSET_VERSION_ALT}, tell a starting sidecar whether it is the new one that must take over
 * (version above alt) or an old one restarted during a hand-over (below).
 *
 * <p>An upgrade gives the idle container the new image and makes it the working one in the same write, without
 * closing the pod's readiness gate: the old sidecar runs on while the new one starts (its PostStart hook is where a
 * real sidecar takes the traffic over). Once the new container runs the new image and every other container is ready,
 * the old one is reset to the empty image. Pure.
 */
public final class HotUpgrade {
    public static final String TYPE = "HotUpgrade";
    public static final String WORKING_ANNOTATION = "kruise.io/sidecarset-working-hotupgrade-container";
    public static final String VERSION_PREFIX = "version.sidecarset.kruise.io/";
    public static final String VERSION_ALT_PREFIX = "versionalt.sidecarset.kruise.io/";
    public static final String VERSION_ENV = "SIDECARSET_VERSION";
    public static final String VERSION_ALT_ENV = "SIDECARSET_VERSION_ALT";
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private HotUpgrade() {
    }

    public static boolean hot(SidecarContainer c) {
        return c.upgradeStrategy != null && TYPE.equals(c.upgradeStrategy.upgradeType);
    }

    /** The names the sidecar's containers have in a pod: {@code <name>-1} and {@code <name>-2}, or its own name. */
    public static List<String> podNames(SidecarContainer c) {
        return hot(c) ? List.of(c.getName() + "-1", c.getName() + "-2") : List.of(c.getName());
    }

    /**
     * The two containers a hot sidecar becomes at injection, made from {@code injected} (the sidecar as any sidecar
     * is injected): {@code -1} with its image, {@code -2} with the empty image; both read their versions from the pod.
     */
    static List<Container> expand(Container injected, SidecarContainer sidecar) {
        List<Container> out = new ArrayList<>();
        for (String name : podNames(sidecar)) {
            Container c = Serialization.clone(injected);
            c.setName(name);
            if (name.endsWith("-2")) {
                c.setImage(sidecar.upgradeStrategy.hotUpgradeEmptyImage);
            }
            List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
            env.removeIf(e -> VERSION_ENV.equals(e.getName()) || VERSION_ALT_ENV.equals(e.getName()));
            env.add(fromAnnotation(VERSION_ENV, VERSION_PREFIX + name));
            env.add(fromAnnotation(VERSION_ALT_ENV, VERSION_ALT_PREFIX + name));
            c.setEnv(env);
            out.add(c);
        }
        return out;
    }

    private static EnvVar fromAnnotation(String env, String annotation) {
        return new EnvVarBuilder().withName(env).withNewValueFrom().withNewFieldRef().withFieldPath("metadata.annotations['" + annotation + "']")
                .endFieldRef().endValueFrom().build();
    }

    /** The annotations a new pod gets for its hot sidecars {@code names}: {@code -1} works (version 1), {@code -2} idles. */
    static void recordInjected(Map<String, String> annotations, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        ObjectNode working = workingMap(annotations.get(WORKING_ANNOTATION));
        for (String name : names) {
            working.put(name, name + "-1");
            annotations.put(VERSION_PREFIX + name + "-1", "1");
            annotations.put(VERSION_ALT_PREFIX + name + "-1", "0");
            annotations.put(VERSION_PREFIX + name + "-2", "0");
            annotations.put(VERSION_ALT_PREFIX + name + "-2", "1");
        }
        annotations.put(WORKING_ANNOTATION, working.toString());
    }

    /** The container of hot sidecar {@code name} that works in {@code pod}, or null when the pod has no such pair. */
    public static String working(Pod pod, String name) {
        String w = workingMap(PodState.annotation(pod, WORKING_ANNOTATION)).path(name).asText(null);
        boolean pair = container(pod, name + "-1") != null && container(pod, name + "-2") != null;
        return pair && (Objects.equals(w, name + "-1") || Objects.equals(w, name + "-2")) ? w : null;
    }

    /** The other container of the pair. */
    public static String idle(String name, String working) {
        return working.equals(name + "-1") ? name + "-2" : name + "-1";
    }

    /**
     * What a hot sidecar needs in a pod: the image change and annotations of an upgrade to {@code image}, made on the
     * container an upgrade goes to (the one on the empty image; else the one not running what its spec says, a failed
     * earlier attempt; else the idle one), added to {@code images} and {@code annotations}. Nothing when the pod runs
     * {@code image} in its working container already.
     */
    static void upgrade(Pod pod, String name, String image, String emptyImage, String setVersion,
                        Map<String, String> images, Map<String, String> annotations) {
        String working = working(pod, name);
        if (image.equals(container(pod, working).getImage())) {
            return;
        }
        String target = target(pod, name, working, emptyImage);
        images.put(target, image);
        if (target.equals(working)) {
            return; // the working container is the one that failed to start its image: it is retried, no hand-over
        }
        ObjectNode map = workingMap(annotations.getOrDefault(WORKING_ANNOTATION, PodState.annotation(pod, WORKING_ANNOTATION)));
        map.put(name, target);
        annotations.put(WORKING_ANNOTATION, map.toString());
        annotations.put(VERSION_PREFIX + target, setVersion);
        annotations.put(VERSION_ALT_PREFIX + target, Objects.toString(PodState.annotation(pod, VERSION_PREFIX + working), "0"));
        annotations.put(VERSION_ALT_PREFIX + working, setVersion);
    }

    private static String target(Pod pod, String name, String working, String emptyImage) {
        String idle = idle(name, working);
        for (String c : List.of(idle, working)) {
            if (Objects.equals(container(pod, c).getImage(), emptyImage)) {
                return c;
            }
        }
        List<String> unsettled = new ArrayList<>();
        for (String c : List.of(idle, working)) {
            if (!running(pod, c)) {
                unsettled.add(c);
            }
        }
        return unsettled.size() == 1 ? unsettled.get(0) : idle;
    }

    /** Whether the old container of hot sidecar {@code name} still holds its image after a hand-over. */
    public static boolean handingOver(Pod pod, String name, String emptyImage) {
        String working = working(pod, name);
        return working != null && !Objects.equals(container(pod, idle(name, working)).getImage(), emptyImage);
    }

    /**
     * Whether a hand-over is done, so the old container can go back to the empty image: the working container runs
     * what its spec says and is ready, and so is every container but the old one.
     */
    public static boolean handedOver(Pod pod, String name) {
        String working = working(pod, name);
        if (working == null) {
            return false;
        }
        String old = idle(name, working);
        for (Container c : pod.getSpec().getContainers()) {
            if (!c.getName().equals(old) && !running(pod, c.getName())) {
                return false;
            }
        }
        return true;
    }

    /** The reset of the old container of hot sidecar {@code name}: its image and the annotations that go with it. */
    static void reset(Pod pod, String name, String emptyImage, Map<String, String> images, Map<String, String> annotations) {
        String working = working(pod, name);
        String old = idle(name, working);
        images.put(old, emptyImage);
        annotations.put(VERSION_PREFIX + old, "0");
        annotations.put(VERSION_ALT_PREFIX + working, "0");
    }

    /** Whether the container runs the image its spec names and is ready. */
    private static boolean running(Pod pod, String name) {
        Container c = container(pod, name);
        ContainerStatus s = PodState.containerStatus(pod, name).orElse(null);
        return c != null && s != null && Boolean.TRUE.equals(s.getReady()) && Objects.equals(c.getImage(), s.getImage());
    }

    private static Container container(Pod pod, String name) {
        if (name == null || pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return null;
        }
        return pod.getSpec().getContainers().stream().filter(c -> name.equals(c.getName())).findFirst().orElse(null);
    }

    private static ObjectNode workingMap(String raw) {
        if (raw != null && !raw.isBlank()) {
            try {
                JsonNode node = JSON.readTree(raw);
                if (node instanceof ObjectNode o) {
                    return o;
                }
            } catch (Exception e) {
                // unreadable: read as empty, and the next write replaces it
            }
        }
        return JSON.createObjectNode();
    }

    /** The hot sidecars of {@code set}, by name. */
    static Map<String, SidecarContainer> of(SidecarSet set) {
        Map<String, SidecarContainer> out = new LinkedHashMap<>();
        if (set.getSpec() != null && set.getSpec().containers != null) {
            set.getSpec().containers.stream().filter(HotUpgrade::hot).forEach(c -> out.put(c.getName(), c));
        }
        return out;
    }
}
