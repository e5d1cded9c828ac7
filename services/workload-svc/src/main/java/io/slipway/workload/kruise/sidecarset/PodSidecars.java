package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.pod.PodState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a pod records of the SidecarSets that injected it, in Kruise's annotations: per SidecarSet the revision it runs
 * ({@code kruise.io/sidecarset-hash}: name to hash, sidecar list, ControllerRevision), the same without images
 * ({@code kruise.io/sidecarset-hash-without-image}), and their names ({@code kruise.io/sidecarset-injected-list}).
 */
public final class PodSidecars {
    public static final String HASH_ANNOTATION = "kruise.io/sidecarset-hash";
    public static final String HASH_WITHOUT_IMAGE_ANNOTATION = "kruise.io/sidecarset-hash-without-image";
    public static final String INJECTED_LIST_ANNOTATION = "kruise.io/sidecarset-injected-list";
    /** Set to "true" in every container a SidecarSet injects. */
    public static final String INJECTED_ENV = "IS_INJECTED";
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private PodSidecars() {
    }

    /** The SidecarSets that injected the pod. */
    public static Set<String> injectedBy(Pod pod) {
        String list = PodState.annotation(pod, INJECTED_LIST_ANNOTATION);
        Set<String> names = new TreeSet<>();
        if (list != null && !list.isBlank()) {
            Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        }
        return names;
    }

    /** The hash of the revision of {@code sidecarSet} the pod runs, or null. */
    public static String hash(Pod pod, String sidecarSet) {
        return entry(pod, HASH_ANNOTATION, sidecarSet).path("hash").asText(null);
    }

    public static String hashWithoutImage(Pod pod, String sidecarSet) {
        return entry(pod, HASH_WITHOUT_IMAGE_ANNOTATION, sidecarSet).path("hash").asText(null);
    }

    /** The ControllerRevision of the revision the pod runs, or null. */
    public static String controllerRevision(Pod pod, String sidecarSet) {
        return entry(pod, HASH_ANNOTATION, sidecarSet).path("controllerRevision").asText(null);
    }

    /** The containers {@code sidecarSet} put into the pod. */
    public static List<String> sidecars(Pod pod, String sidecarSet) {
        JsonNode list = entry(pod, HASH_ANNOTATION, sidecarSet).path("sidecarList");
        return list.isArray() ? JSON.convertValue(list, JSON.getTypeFactory().constructCollectionType(List.class, String.class)) : List.of();
    }

    /**
     * The three annotations of {@code annotations} (a pod's) after {@code revision} of {@code sidecarSet} went into
     * the pod with {@code sidecars}; the other SidecarSets' entries are kept.
     */
    public static Map<String, String> record(Map<String, String> annotations, String sidecarSet, SidecarRevision revision,
                                             List<String> sidecars, Instant now) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        ObjectNode hashes = entries(a.get(HASH_ANNOTATION));
        ObjectNode entry = hashes.putObject(sidecarSet);
        entry.put("updateTimestamp", at);
        entry.put("hash", revision.hash());
        entry.put("sidecarSetName", sidecarSet);
        entry.set("sidecarList", JSON.valueToTree(new TreeSet<>(sidecars)));
        entry.put("controllerRevision", revision.name());
        ObjectNode withoutImage = entries(a.get(HASH_WITHOUT_IMAGE_ANNOTATION));
        ObjectNode entry2 = withoutImage.putObject(sidecarSet);
        entry2.put("updateTimestamp", at);
        entry2.put("hash", revision.hashWithoutImage());
        entry2.put("sidecarSetName", sidecarSet);
        entry2.set("sidecarList", JSON.valueToTree(new TreeSet<>(sidecars)));
        Set<String> names = new TreeSet<>();
        String list = a.get(INJECTED_LIST_ANNOTATION);
        if (list != null && !list.isBlank()) {
            Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        }
        names.add(sidecarSet);
        Map<String, String> out = new LinkedHashMap<>();
        out.put(HASH_ANNOTATION, hashes.toString());
        out.put(HASH_WITHOUT_IMAGE_ANNOTATION, withoutImage.toString());
        out.put(INJECTED_LIST_ANNOTATION, String.join(",", names));
        return out;
    }

    private static JsonNode entry(Pod pod, String annotation, String sidecarSet) {
        return entries(PodState.annotation(pod, annotation)).path(sidecarSet);
    }

    /** The annotation's map; Kruise's older form, name to hash, is read as entries holding just the hash. */
    private static ObjectNode entries(String raw) {
        if (raw == null || raw.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(raw);
            if (!(node instanceof ObjectNode o)) {
                return JSON.createObjectNode();
            }
            ObjectNode out = JSON.createObjectNode();
            o.fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) {
                    out.putObject(e.getKey()).put("hash", e.getValue().asText()).put("sidecarSetName", e.getKey());
                } else {
                    out.set(e.getKey(), e.getValue());
                }
            });
            return out;
        } catch (Exception e) {
            return JSON.createObjectNode(); // not ours to repair: an unreadable record reads as none, and the next write replaces it
        }
    }
}
