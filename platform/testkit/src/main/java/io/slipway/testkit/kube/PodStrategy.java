package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the simulated API server does to a Pod on its way into storage, after the real API server's pod strategy
 * (kubernetes pkg/registry/core/pod/strategy.go, pkg/apis/core/v1/defaults.go, pkg/apis/core/validation): defaulting,
 * the part of validation a controller can trip over (container names and images), the status a new pod starts with,
 * and which spec fields an update may change. Works on the JSON tree in place; cheap enough for thousands of pods.
 */
final class PodStrategy {
    static final String IMMUTABLE_SPEC = "pod updates may not change fields other than spec.containers[*].image, "
            + "spec.initContainers[*].image, spec.activeDeadlineSeconds, spec.tolerations (only additions to existing "
            + "tolerations) or spec.terminationGracePeriodSeconds (allow it to be set to 1 if it was previously negative)";

    private PodStrategy() {
    }

    /** SetDefaults_Pod / _PodSpec / _Container: what every decoded pod gets where the client left a field out. */
    static void applyDefaults(ObjectNode pod) {
        ObjectNode spec = pod.has("spec") && pod.get("spec").isObject() ? (ObjectNode) pod.get("spec") : pod.putObject("spec");
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.hasNonNull("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.hasNonNull("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        if (!spec.hasNonNull("securityContext")) {
            spec.putObject("securityContext");
        }
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : spec.path(list)) {
                if (c instanceof ObjectNode container) {
                    defaultContainer(container);
                }
            }
        }
    }

    private static void defaultContainer(ObjectNode c) {
        if (!c.hasNonNull("imagePullPolicy") && c.hasNonNull("image")) {
            c.put("imagePullPolicy", "latest".equals(ImageReference.parse(c.get("image").asText()).tag()) ? "Always" : "IfNotPresent");
        }
        putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(c, "terminationMessagePolicy", "File");
        ObjectNode resources = c.has("resources") && c.get("resources").isObject() ? (ObjectNode) c.get("resources") : c.putObject("resources");
        // requests default to limits, resource by resource
        if (resources.path("limits").isObject()) {
            ObjectNode requests = resources.path("requests").isObject() ? (ObjectNode) resources.get("requests") : null;
            Iterator<Map.Entry<String, JsonNode>> limits = resources.get("limits").fields();
            while (limits.hasNext()) {
                Map.Entry<String, JsonNode> limit = limits.next();
                if (requests == null) {
                    requests = resources.putObject("requests");
                }
                if (!requests.has(limit.getKey())) {
                    requests.set(limit.getKey(), limit.getValue().deepCopy());
                }
            }
        }
        for (JsonNode port : c.path("ports")) {
            if (port instanceof ObjectNode p) {
                putIfAbsent(p, "protocol", "TCP");
            }
        }
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (!node.hasNonNull(field) || node.get(field).asText().isEmpty()) {
            node.put(field, value);
        }
    }

    /** ValidatePodCreate, as far as the simulation checks: containers present, named uniquely, each with an image. */
    static List<ApiError.Cause> validate(ObjectNode pod) {
        List<ApiError.Cause> causes = new ArrayList<>();
        JsonNode spec = pod.path("spec");
        Set<String> names = new HashSet<>();
        if (!spec.path("containers").isArray() || spec.path("containers").isEmpty()) {
            causes.add(ApiError.Cause.required("spec.containers"));
        }
        validateContainers(spec.path("containers"), "spec.containers", names, causes);
        validateContainers(spec.path("initContainers"), "spec.initContainers", names, causes);
        return causes;
    }

    private static void validateContainers(JsonNode containers, String path, Set<String> names, List<ApiError.Cause> causes) {
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String name = c.path("name").asText("");
            if (name.isEmpty()) {
                causes.add(ApiError.Cause.required(path + "[" + i + "].name"));
            } else if (!names.add(name)) {
                causes.add(ApiError.Cause.duplicate(path + "[" + i + "].name", name));
            }
            if (c.path("image").asText("").isBlank()) {
                causes.add(ApiError.Cause.required(path + "[" + i + "].image"));
            }
        }
    }

    /** PrepareForCreate: a new pod's status is only its phase and QoS class, whatever the client sent. */
    static ObjectNode initialStatus(ObjectNode pod) {
        ObjectNode status = pod.objectNode();
        status.put("phase", "Pending").put("qosClass", qosClass(pod.path("spec")));
        return status;
    }

    /** GetPodQOS, comparing quantities as written (requests defaulted from limits). */
    static String qosClass(JsonNode spec) {
        boolean any = false;
        boolean guaranteed = true;
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : spec.path(list)) {
                JsonNode requests = c.path("resources").path("requests");
                JsonNode limits = c.path("resources").path("limits");
                for (String resource : List.of("cpu", "memory")) {
                    any |= requests.has(resource) || limits.has(resource);
                    guaranteed &= limits.has(resource) && requests.path(resource).asText().equals(limits.path(resource).asText());
                }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    /**
     * ValidatePodUpdate for a write to the pod itself (not its status): only images, activeDeadlineSeconds (set or
     * lowered), added tolerations and a negative grace period raised to 1 may differ from the stored spec.
     */
    static List<ApiError.Cause> validateUpdate(ObjectNode old, ObjectNode updated) {
        JsonNode oldSpec = old.path("spec");
        ObjectNode munged = updated.path("spec").isObject() ? ((ObjectNode) updated.get("spec")).deepCopy() : old.objectNode();
        List<ApiError.Cause> causes = new ArrayList<>();
        for (String list : List.of("containers", "initContainers")) {
            JsonNode before = oldSpec.path(list);
            JsonNode after = munged.path(list);
            if (before.size() == after.size()) {
                for (int i = 0; i < after.size(); i++) {
                    if (after.get(i) instanceof ObjectNode c && before.get(i).has("image")) {
                        if (c.path("image").asText("").isBlank()) {
                            causes.add(ApiError.Cause.required("spec." + list + "[" + i + "].image"));
                        }
                        c.set("image", before.get(i).get("image"));
                    }
                }
            }
        }
        JsonNode oldDeadline = oldSpec.get("activeDeadlineSeconds");
        JsonNode newDeadline = munged.get("activeDeadlineSeconds");
        if (newDeadline != null && !newDeadline.isNull()) {
            if (newDeadline.asLong() < 0 || newDeadline.asLong() > Integer.MAX_VALUE) {
                causes.add(ApiError.Cause.invalid("spec.activeDeadlineSeconds", newDeadline.asLong(), "must be between 0 and 2147483647, inclusive"));
            } else if (oldDeadline != null && !oldDeadline.isNull() && oldDeadline.asLong() < newDeadline.asLong()) {
                causes.add(ApiError.Cause.invalid("spec.activeDeadlineSeconds", newDeadline.asLong(), "must be less than or equal to previous value"));
            }
        } else if (oldDeadline != null && !oldDeadline.isNull()) {
            causes.add(ApiError.Cause.invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value"));
        }
        copy(oldSpec, munged, "activeDeadlineSeconds");
        if (!onlyAdded(oldSpec.path("tolerations"), munged.path("tolerations"))) {
            causes.add(ApiError.Cause.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
        }
        copy(oldSpec, munged, "tolerations");
        JsonNode oldGrace = oldSpec.get("terminationGracePeriodSeconds");
        if (oldGrace != null && oldGrace.asLong() < 0 && munged.path("terminationGracePeriodSeconds").asLong() == 1) {
            copy(oldSpec, munged, "terminationGracePeriodSeconds");
        }
        if (causes.isEmpty() && !semanticallyEqual(oldSpec, munged)) {
            causes.add(ApiError.Cause.forbidden("spec", IMMUTABLE_SPEC));
        }
        return causes;
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field).deepCopy());
        } else {
            to.remove(field);
        }
    }

    /** Every old toleration is still there (its tolerationSeconds aside). */
    private static boolean onlyAdded(JsonNode before, JsonNode after) {
        for (JsonNode old : before) {
            boolean kept = false;
            for (JsonNode now : after) {
                kept |= same(old, now, "key") && same(old, now, "operator") && same(old, now, "value") && same(old, now, "effect");
            }
            if (!kept) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(JsonNode a, JsonNode b, String field) {
        return a.path(field).asText("").equals(b.path(field).asText(""));
    }

    /** apimachinery's semantic equality: an empty list or map is the same as none. */
    static boolean semanticallyEqual(JsonNode a, JsonNode b) {
        return SimulatedApiServer.same(normalized(a), normalized(b));
    }

    private static JsonNode normalized(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            object.fields().forEachRemaining(e -> {
                JsonNode value = normalized(e.getValue());
                if (!value.isNull() && !value.isMissingNode() && !(value.isContainerNode() && value.isEmpty())) {
                    copy.set(e.getKey(), value);
                }
            });
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = array.arrayNode();
            array.forEach(v -> copy.add(normalized(v)));
            return copy;
        }
        return node;
    }
}
