package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code scale} subresource as the API server serves it (autoscaling/v1 {@code Scale}): for Deployments,
 * ReplicaSets and StatefulSets of apps/v1 from {@code spec.replicas}, {@code status.replicas} and {@code spec.selector};
 * for a custom resource from the paths its CRD declares under {@code subresources.scale} (and 404 when it declares
 * none). A write changes only the replicas of the object, checked against the Scale's resourceVersion when it carries
 * one, so an HPA or a CronHPA scales any of them without knowing its kind.
 */
final class ScaleSubresource {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> APPS = List.of("deployments", "replicasets", "statefulsets");

    /** Where replicas and the selector live in an object: JSON paths as a CRD writes them ({@code .spec.replicas}). */
    record Paths(String specReplicas, String statusReplicas, String labelSelector, boolean selectorIsObject) {
        static final Paths APPS = new Paths(".spec.replicas", ".status.replicas", ".spec.selector", true);
    }

    private ScaleSubresource() {
    }

    /** The scale paths of a resource, or null when it has no scale subresource; {@code crd} is its CRD (null if none). */
    static Paths paths(SimulatedApiServer.ResourcePath p, ObjectNode crd) {
        if ("apps".equals(p.group()) && APPS.contains(p.plural())) {
            return Paths.APPS;
        }
        if (crd == null) {
            return null;
        }
        for (JsonNode v : crd.path("spec").path("versions")) {
            JsonNode scale = v.path("subresources").path("scale");
            if (p.version().equals(v.path("name").asText()) && scale.isObject()) {
                return new Paths(scale.path("specReplicasPath").asText(), scale.path("statusReplicasPath").asText(),
                        scale.path("labelSelectorPath").asText(null), false);
            }
        }
        return null;
    }

    /** The Scale of {@code object}. */
    static ObjectNode scaleOf(ObjectNode object, Paths paths) {
        ObjectNode scale = NODES.objectNode();
        scale.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        JsonNode m = object.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (m.hasNonNull(f)) {
                metadata.set(f, m.get(f));
            }
        }
        JsonNode specReplicas = at(object, paths.specReplicas());
        // apps/v1 defaults spec.replicas to 1; a custom resource without the field has 0, as the API server reads it
        scale.putObject("spec").put("replicas", specReplicas.isMissingNode() || specReplicas.isNull()
                ? (paths == Paths.APPS ? 1 : 0) : specReplicas.asInt());
        ObjectNode status = scale.putObject("status");
        status.put("replicas", at(object, paths.statusReplicas()).asInt(0));
        if (paths.labelSelector() != null) {
            JsonNode selector = at(object, paths.labelSelector());
            String text = paths.selectorIsObject() ? selectorString(selector) : selector.asText("");
            if (!text.isEmpty()) {
                status.put("selector", text);
            }
        }
        return scale;
    }

    /** {@code object} with the replicas of {@code scale}; throws a 422 for replicas below zero. */
    static ObjectNode withReplicas(ObjectNode object, Paths paths, JsonNode scale, SimulatedApiServer.ObjectKey key) {
        JsonNode replicas = scale.path("spec").path("replicas");
        if (!replicas.canConvertToInt() || replicas.asInt() < 0) {
            throw ApiError.invalid("Scale", key, key.name(), List.of(new ApiError.Cause("FieldValueInvalid", "spec.replicas",
                    "Invalid value: " + replicas + ": must be greater than or equal to 0")));
        }
        String[] parts = paths.specReplicas().substring(1).split("\\.");
        ObjectNode at = object;
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.get(parts[i]) instanceof ObjectNode o ? o : at.putObject(parts[i]);
        }
        at.put(parts[parts.length - 1], replicas.asInt());
        return object;
    }

    /** A JSON patch or JSON merge patch applied to a Scale, as the API server applies a patch of the subresource. */
    static JsonNode patch(ObjectNode scale, String contentType, JsonNode patch) {
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json-patch+json")) {
            try {
                return JsonPatch.apply(patch, scale);
            } catch (JsonPatchException e) {
                throw ApiError.of(422, "Invalid", "the server rejected our request due to an error in our request: " + e.getMessage(), null);
            }
        }
        return MergePatch.apply(scale, patch);
    }

    private static JsonNode at(JsonNode object, String path) {
        if (path == null || path.isEmpty()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        return object.at(path.replace('.', '/'));
    }

    /** metav1.FormatLabelSelector for a selector of matchLabels and matchExpressions. */
    private static String selectorString(JsonNode selector) {
        StringBuilder out = new StringBuilder();
        Map<String, String> labels = new TreeMap<>();
        selector.path("matchLabels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        labels.forEach((k, v) -> out.append(out.isEmpty() ? "" : ",").append(k).append('=').append(v));
        for (JsonNode e : selector.path("matchExpressions")) {
            List<String> values = new java.util.ArrayList<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            String key = e.path("key").asText();
            String term = switch (e.path("operator").asText()) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> null;
            };
            if (term != null) {
                out.append(out.isEmpty() ? "" : ",").append(term);
            }
        }
        return out.toString();
    }
}
