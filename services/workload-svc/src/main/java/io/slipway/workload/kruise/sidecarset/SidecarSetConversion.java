package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Converts a SidecarSet between v1alpha1 and the stored v1beta1, as a CRD conversion webhook must: on the JSON the API
 * server sends, keeping every field it does not know. Two fields differ (Kruise's {@code sidecarset_conversion.go}):
 * <ul>
 * <li>v1alpha1's {@code spec.namespace} is, in v1beta1, a requirement {@code kubernetes.io/metadata.name=<namespace>}
 * in {@code spec.namespaceSelector.matchLabels}, alongside any selector v1alpha1 had (both applied in v1alpha1, so
 * both stay; Kruise drops the selector). Back in v1alpha1 that requirement is {@code spec.namespace} again, so a
 * round trip gives the object back.</li>
 * <li>v1alpha1's label {@code apps.kruise.io/sidecarset-custom-version} is v1beta1's {@code spec.customVersion}.</li>
 * </ul>
 * Pure; the conversion endpoint (package {@code io.slipway.workload.conversion}) plugs it in.
 */
public final class SidecarSetConversion {
    public static final String CUSTOM_VERSION_LABEL = "apps.kruise.io/sidecarset-custom-version";
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private SidecarSetConversion() {
    }

    public static SidecarSet toV1beta1(SidecarSetV1alpha1 alpha) {
        return JSON.convertValue(toV1beta1((ObjectNode) JSON.valueToTree(alpha)), SidecarSet.class);
    }

    public static SidecarSetV1alpha1 toV1alpha1(SidecarSet beta) {
        return JSON.convertValue(toV1alpha1((ObjectNode) JSON.valueToTree(beta)), SidecarSetV1alpha1.class);
    }

    /** A v1beta1 copy of a v1alpha1 SidecarSet (or the object unchanged but for its apiVersion when it is v1beta1 already). */
    public static ObjectNode toV1beta1(ObjectNode alpha) {
        ObjectNode o = alpha.deepCopy();
        o.put("apiVersion", SidecarSet.API_VERSION);
        if (o.get("spec") instanceof ObjectNode spec) {
            JsonNode ns = spec.remove("namespace");
            if (ns != null && ns.isTextual() && !ns.asText().isEmpty()) {
                ObjectNode selector = spec.get("namespaceSelector") instanceof ObjectNode s ? s : spec.putObject("namespaceSelector");
                selector.withObjectProperty("matchLabels").put(NAMESPACE_NAME_LABEL, ns.asText());
            }
            JsonNode labels = o.path("metadata").path("labels");
            if (labels instanceof ObjectNode l && l.has(CUSTOM_VERSION_LABEL)) {
                spec.put("customVersion", l.remove(CUSTOM_VERSION_LABEL).asText());
                if (l.isEmpty()) {
                    ((ObjectNode) o.get("metadata")).remove("labels");
                }
            }
        }
        return o;
    }

    /** A v1alpha1 copy of a v1beta1 SidecarSet. */
    public static ObjectNode toV1alpha1(ObjectNode beta) {
        ObjectNode o = beta.deepCopy();
        o.put("apiVersion", SidecarSetV1alpha1.API_VERSION);
        if (o.get("spec") instanceof ObjectNode spec) {
            if (spec.get("namespaceSelector") instanceof ObjectNode selector
                    && selector.path("matchLabels") instanceof ObjectNode matchLabels && matchLabels.path(NAMESPACE_NAME_LABEL).isTextual()) {
                spec.put("namespace", matchLabels.remove(NAMESPACE_NAME_LABEL).asText());
                if (matchLabels.isEmpty()) {
                    selector.remove("matchLabels");
                    if (selector.path("matchExpressions").isEmpty()) {
                        spec.remove("namespaceSelector"); // it only said the namespace
                    }
                }
            }
            JsonNode customVersion = spec.remove("customVersion");
            if (customVersion != null && customVersion.isTextual() && !customVersion.asText().isEmpty()) {
                o.withObjectProperty("metadata").withObjectProperty("labels").put(CUSTOM_VERSION_LABEL, customVersion.asText());
            }
        }
        return o;
    }

    /** The object in {@code apiVersion} (either of the two), from either. */
    public static ObjectNode to(String apiVersion, ObjectNode object) {
        boolean alpha = SidecarSetV1alpha1.API_VERSION.equals(object.path("apiVersion").asText());
        return switch (apiVersion) {
            case SidecarSet.API_VERSION -> alpha ? toV1beta1(object) : object.deepCopy();
            case SidecarSetV1alpha1.API_VERSION -> alpha ? object.deepCopy() : toV1alpha1(object);
            default -> throw new IllegalArgumentException("SidecarSet has no version " + apiVersion + " (served: v1alpha1, v1beta1)");
        };
    }
}
