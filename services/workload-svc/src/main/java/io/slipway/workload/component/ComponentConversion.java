package io.slipway.workload.component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * Converts a Component between v1alpha1 and the stored v1beta1 (the hub), on the JSON the API server sends, keeping
 * every other field as it is. Only the Service differs:
 *
 * <pre>
 *   v1alpha1 spec.svc.type   v1beta1 spec.service
 *   ClusterIP, NodePort      type: ClusterIP, NodePort
 *   slb / slb-intranet       loadBalancer: {provider: aliyun-slb, scheme: internet / intranet}
 *   nlb / nlb-internal       loadBalancer: {provider: aws-nlb, scheme: internet / intranet}
 *   svc.annotations          loadBalancer.annotations (or kept, below, when there is no load balancer)
 * </pre>
 *
 * What one version cannot say is kept whole in an annotation of the other ({@value #KEPT_SERVICE} on a v1alpha1
 * object, {@value #KEPT_SVC} on a v1beta1 one) and restored from it on the way back, so a round trip in either
 * direction returns the object unchanged, as the API server requires of a conversion webhook.
 */
public final class ComponentConversion {
    static final String KEPT_SERVICE = Component.GROUP + "/v1beta1-service";
    static final String KEPT_SVC = Component.GROUP + "/v1alpha1-svc";
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final Map<String, String[]> ALPHA_TO_LB = Map.of("slb", new String[]{"aliyun-slb", "internet"},
            "slb-intranet", new String[]{"aliyun-slb", "intranet"}, "nlb", new String[]{"aws-nlb", "internet"},
            "nlb-internal", new String[]{"aws-nlb", "intranet"});

    private ComponentConversion() {
    }

    /** The object in {@code apiVersion} (either of the two), from either. */
    public static ObjectNode to(String apiVersion, ObjectNode object) {
        String from = object.path("apiVersion").asText();
        if (!from.equals(Component.API_VERSION) && !from.equals(ComponentV1alpha1.API_VERSION)) {
            throw new IllegalArgumentException("Component has no version " + from + " (served: v1alpha1, v1beta1)");
        }
        if (apiVersion.equals(from)) {
            return object.deepCopy();
        }
        return switch (apiVersion) {
            case Component.API_VERSION -> toV1beta1(object);
            case ComponentV1alpha1.API_VERSION -> toV1alpha1(object);
            default -> throw new IllegalArgumentException("Component has no version " + apiVersion + " (served: v1alpha1, v1beta1)");
        };
    }

    public static Component toV1beta1(ComponentV1alpha1 alpha) {
        return JSON.convertValue(toV1beta1((ObjectNode) JSON.valueToTree(alpha)), Component.class);
    }

    public static ComponentV1alpha1 toV1alpha1(Component beta) {
        return JSON.convertValue(toV1alpha1((ObjectNode) JSON.valueToTree(beta)), ComponentV1alpha1.class);
    }

    /** A v1beta1 copy of a v1alpha1 Component. */
    public static ObjectNode toV1beta1(ObjectNode alpha) {
        ObjectNode o = alpha.deepCopy();
        o.put("apiVersion", Component.API_VERSION);
        ObjectNode spec = o.path("spec") instanceof ObjectNode s ? s : null;
        JsonNode kept = take(o, KEPT_SERVICE);
        if (spec == null) {
            return o;
        }
        JsonNode svc = spec.remove("svc");
        if (kept != null && java.util.Objects.equals(svc, alphaOf(kept))) {
            spec.set("service", kept); // it came from v1beta1 and v1alpha1's svc is as converted: as it was
            return o;
        }
        if (svc == null) {
            return o;
        }
        String type = svc.path("type").asText(null);
        ObjectNode service = JSON.createObjectNode();
        String[] lb = type == null ? null : ALPHA_TO_LB.get(type);
        if (lb != null) {
            ObjectNode balancer = service.putObject("loadBalancer").put("provider", lb[0]).put("scheme", lb[1]);
            if (svc.has("annotations")) {
                balancer.set("annotations", svc.get("annotations"));
            }
        } else if (type == null || type.equals("ClusterIP") || type.equals("NodePort")) {
            if (type != null) {
                service.put("type", type);
            }
        }
        spec.set("service", service);
        if (!svc.equals(alphaOf(service))) {
            keep(o, KEPT_SVC, svc); // a type or annotations v1beta1 cannot say
        }
        return o;
    }

    /** A v1alpha1 copy of a v1beta1 Component. */
    public static ObjectNode toV1alpha1(ObjectNode beta) {
        ObjectNode o = beta.deepCopy();
        o.put("apiVersion", ComponentV1alpha1.API_VERSION);
        ObjectNode spec = o.path("spec") instanceof ObjectNode s ? s : null;
        JsonNode kept = take(o, KEPT_SVC);
        if (spec == null) {
            return o;
        }
        JsonNode service = spec.remove("service");
        if (service == null) {
            if (kept != null) {
                spec.set("svc", kept);
            }
            return o;
        }
        ObjectNode svc = kept instanceof ObjectNode k && service.equals(betaOf(k)) ? k : alphaOf(service);
        if (svc != null) {
            spec.set("svc", svc);
        }
        if (svc == null || !service.equals(betaOf(svc))) {
            keep(o, KEPT_SERVICE, service); // a provider, a scheme or a field v1alpha1 cannot say
        }
        return o;
    }

    /** v1alpha1's svc for a v1beta1 service, or null when it has no word for it. */
    private static ObjectNode alphaOf(JsonNode service) {
        ObjectNode svc = JSON.createObjectNode();
        JsonNode lb = service.path("loadBalancer");
        if (lb.isObject()) {
            for (Map.Entry<String, String[]> e : ALPHA_TO_LB.entrySet()) {
                if (e.getValue()[0].equals(lb.path("provider").asText()) && e.getValue()[1].equals(lb.path("scheme").asText())) {
                    svc.put("type", e.getKey());
                }
            }
            if (!svc.has("type")) {
                return null;
            }
            if (lb.has("annotations")) {
                svc.set("annotations", lb.get("annotations"));
            }
            return svc;
        }
        if (service.has("type")) {
            svc.put("type", service.get("type").asText());
        }
        return svc;
    }

    /** v1beta1's service for a v1alpha1 svc (the inverse of {@link #alphaOf} where it is defined). */
    private static JsonNode betaOf(JsonNode svc) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", ComponentV1alpha1.API_VERSION);
        o.putObject("spec").set("svc", svc);
        return toV1beta1(o).path("spec").path("service");
    }

    private static JsonNode take(ObjectNode o, String annotation) {
        JsonNode annotations = o.path("metadata").path("annotations");
        if (!(annotations instanceof ObjectNode a) || !a.has(annotation)) {
            return null;
        }
        String text = a.remove(annotation).asText();
        if (a.isEmpty()) {
            ((ObjectNode) o.get("metadata")).remove("annotations");
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("annotation " + annotation + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private static void keep(ObjectNode o, String annotation, JsonNode value) {
        ObjectNode metadata = o.path("metadata") instanceof ObjectNode m ? m : o.putObject("metadata");
        ObjectNode annotations = metadata.path("annotations") instanceof ObjectNode a ? a : metadata.putObject("annotations");
        annotations.put(annotation, value.toString());
    }
}
