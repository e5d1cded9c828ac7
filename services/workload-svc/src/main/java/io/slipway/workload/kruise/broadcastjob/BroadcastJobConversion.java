package io.slipway.workload.kruise.broadcastjob;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Converts a BroadcastJob between v1alpha1 and the stored v1beta1, as a CRD conversion webhook must: on the JSON the
 * API server sends, keeping every field, known or not. The two versions have the same fields (Kruise's
 * {@code broadcastjob_conversion.go} copies each one), so only the apiVersion changes; a field that one day differs
 * is converted here. Pure; the conversion endpoint ({@code io.slipway.workload.conversion}) plugs it in.
 */
public final class BroadcastJobConversion {
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private BroadcastJobConversion() {
    }

    public static BroadcastJob toV1beta1(BroadcastJobV1alpha1 alpha) {
        return JSON.convertValue(toV1beta1((ObjectNode) JSON.valueToTree(alpha)), BroadcastJob.class);
    }

    public static BroadcastJobV1alpha1 toV1alpha1(BroadcastJob beta) {
        return JSON.convertValue(toV1alpha1((ObjectNode) JSON.valueToTree(beta)), BroadcastJobV1alpha1.class);
    }

    /** A v1beta1 copy of a v1alpha1 BroadcastJob. */
    public static ObjectNode toV1beta1(ObjectNode alpha) {
        ObjectNode o = alpha.deepCopy();
        o.put("apiVersion", BroadcastJob.API_VERSION);
        return o;
    }

    /** A v1alpha1 copy of a v1beta1 BroadcastJob. */
    public static ObjectNode toV1alpha1(ObjectNode beta) {
        ObjectNode o = beta.deepCopy();
        o.put("apiVersion", BroadcastJobV1alpha1.API_VERSION);
        return o;
    }

    /** The object in {@code apiVersion} (either of the two), from either. */
    public static ObjectNode to(String apiVersion, ObjectNode object) {
        String from = object.path("apiVersion").asText();
        if (!from.equals(BroadcastJob.API_VERSION) && !from.equals(BroadcastJobV1alpha1.API_VERSION)) {
            throw new IllegalArgumentException("BroadcastJob has no version " + from + " (served: v1alpha1, v1beta1)");
        }
        return switch (apiVersion) {
            case BroadcastJob.API_VERSION -> toV1beta1(object);
            case BroadcastJobV1alpha1.API_VERSION -> toV1alpha1(object);
            default -> throw new IllegalArgumentException("BroadcastJob has no version " + apiVersion + " (served: v1alpha1, v1beta1)");
        };
    }
}
