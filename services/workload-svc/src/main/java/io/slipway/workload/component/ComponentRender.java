package io.slipway.workload.component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Component's children as the API server will store them, from its spec and the merged templates (pure): the
 * workload (Deployment, StatefulSet or Advanced StatefulSet), the Service of a server and the Ingress if asked. The
 * pod template's revision is a hash of the template itself, so the same inputs always give the same revision.
 */
public final class ComponentRender {
    public static final String NAME_LABEL = Component.GROUP + "/name";
    public static final String REVISION_LABEL = Component.GROUP + "/revision";
    public static final String TRACK_LABEL = Component.GROUP + "/track";
    public static final String CONTAINER = "app";
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    /** The rendered children; {@code service} and {@code ingress} are null when the component has none. */
    public record Rendered(String apiVersion, String kind, ObjectNode workload, ObjectNode podTemplate, String revision,
                           ObjectNode service, ObjectNode ingress) {
    }

    private ComponentRender() {
    }

    public static Rendered render(String namespace, String name, ComponentSpec spec, Templates.Resolved templates) {
        String run = ComponentValidation.runType(spec);
        ObjectNode t = templates.merged(run);
        boolean server = "server".equals(run);

        ObjectNode container = JSON.createObjectNode();
        container.put("name", CONTAINER).put("image", spec.image);
        if (server) {
            container.putArray("ports").addObject().put("name", "http").put("containerPort", spec.port).put("protocol", "TCP");
        }
        ObjectNode fromTemplate = t.path("container") instanceof ObjectNode c ? c.deepCopy() : JSON.createObjectNode();
        fromTemplate.remove("name");
        fromTemplate.remove("image");
        Templates.merge(fromTemplate, container);
        container = fromTemplate;
        if (!spec.env.isEmpty()) {
            Templates.merge(container, JSON.createObjectNode().set("env", JSON.valueToTree(spec.env)));
        }
        if (spec.resources != null) {
            container.set("resources", JSON.valueToTree(spec.resources));
        }

        ObjectNode pod = t.path("pod") instanceof ObjectNode p ? p.deepCopy() : JSON.createObjectNode();
        ObjectNode podMeta = pod.path("metadata") instanceof ObjectNode m ? m : pod.putObject("metadata");
        ObjectNode podLabels = podMeta.path("labels") instanceof ObjectNode l ? l : podMeta.putObject("labels");
        spec.podLabels.forEach(podLabels::put);
        podLabels.put(NAME_LABEL, name);
        if (!spec.podAnnotations.isEmpty()) {
            ObjectNode a = podMeta.path("annotations") instanceof ObjectNode x ? x : podMeta.putObject("annotations");
            spec.podAnnotations.forEach(a::put);
        }
        ObjectNode podSpec = pod.path("spec") instanceof ObjectNode ps ? ps : pod.putObject("spec");
        if (!(podSpec.get("containers") instanceof ArrayNode)) {
            podSpec.putArray("containers");
        }
        Templates.merge(podSpec, JSON.createObjectNode().set("containers", JSON.createArrayNode().add(container)));
        String revision = hash(pod);
        podLabels.put(REVISION_LABEL, revision);
        boolean deployment = "Deployment".equals(spec.workloadType);
        if (deployment) {
            podLabels.put(TRACK_LABEL, "stable"); // a canary Deployment's pods say canary: the two selectors never overlap
        }

        ObjectNode workload = JSON.createObjectNode();
        String apiVersion;
        String kind;
        switch (spec.workloadType) {
            case "Deployment" -> {
                apiVersion = "apps/v1";
                kind = "Deployment";
            }
            case "StatefulSet" -> {
                apiVersion = "apps/v1";
                kind = "StatefulSet";
            }
            default -> {
                apiVersion = AdvancedStatefulSet.API_VERSION;
                kind = AdvancedStatefulSet.KIND;
            }
        }
        workload.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode meta = workload.putObject("metadata").put("name", name).put("namespace", namespace);
        meta.putObject("labels").put(NAME_LABEL, name).put("app.kubernetes.io/name", name).put("app.kubernetes.io/managed-by", "slipway-component");
        ObjectNode wspec = t.path("workload").path("spec") instanceof ObjectNode w ? w.deepCopy() : JSON.createObjectNode();
        JsonNode wmeta = t.path("workload").path("metadata");
        if (wmeta.isObject()) {
            Templates.merge(meta, wmeta);
        }
        ObjectNode selector = JSON.createObjectNode();
        ObjectNode match = selector.putObject("matchLabels").put(NAME_LABEL, name);
        if (deployment) {
            match.put(TRACK_LABEL, "stable");
        }
        wspec.set("selector", selector);
        if (spec.replicas != null) {
            wspec.put("replicas", spec.replicas);
        }
        if (!deployment) {
            wspec.put("serviceName", name);
        }
        wspec.set("template", pod);
        workload.set("spec", wspec);

        ObjectNode service = null;
        if (server) {
            service = JSON.createObjectNode();
            service.put("apiVersion", "v1").put("kind", "Service");
            ObjectNode smeta = service.putObject("metadata").put("name", name).put("namespace", namespace);
            smeta.putObject("labels").put(NAME_LABEL, name).put("app.kubernetes.io/name", name).put("app.kubernetes.io/managed-by", "slipway-component");
            ObjectNode sspec = service.putObject("spec");
            sspec.putObject("selector").put(NAME_LABEL, name);
            sspec.putArray("ports").addObject().put("name", "http").put("port", spec.port).put("targetPort", "http").put("protocol", "TCP");
            JsonNode ts = t.path("service");
            if (ts.isObject()) {
                Templates.merge(service, ts);
            }
            if (spec.service != null) {
                if (spec.service.type != null) {
                    sspec.put("type", spec.service.type);
                }
                if (spec.service.loadBalancer != null) {
                    sspec.put("type", "LoadBalancer");
                    ObjectNode annotations = smeta.path("annotations") instanceof ObjectNode a ? a : smeta.putObject("annotations");
                    String scheme = spec.service.loadBalancer.scheme == null ? "internet" : spec.service.loadBalancer.scheme;
                    String kv = ComponentValidation.LB_ANNOTATIONS.get(spec.service.loadBalancer.provider).get(scheme);
                    if (!kv.isEmpty()) {
                        annotations.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    }
                    if (spec.service.loadBalancer.provider.equals("aws-nlb")) {
                        annotations.put("service.beta.kubernetes.io/aws-load-balancer-type", "nlb");
                    }
                    spec.service.loadBalancer.annotations.forEach(annotations::put);
                }
            }
            if (!sspec.has("type")) {
                sspec.put("type", "ClusterIP");
            }
        }
        ObjectNode ingress = null;
        if (server && spec.ingress != null) {
            ingress = JSON.createObjectNode();
            ingress.put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
            ObjectNode imeta = ingress.putObject("metadata").put("name", name).put("namespace", namespace);
            imeta.putObject("labels").put(NAME_LABEL, name).put("app.kubernetes.io/managed-by", "slipway-component");
            ObjectNode ispec = ingress.putObject("spec");
            if (spec.ingress.className != null) {
                ispec.put("ingressClassName", spec.ingress.className);
            }
            ObjectNode path = ispec.putArray("rules").addObject().put("host", spec.ingress.host).putObject("http").putArray("paths").addObject();
            path.put("path", spec.ingress.path == null ? "/" : spec.ingress.path).put("pathType", "Prefix");
            path.putObject("backend").putObject("service").put("name", name).putObject("port").put("name", "http");
        }
        return new Rendered(apiVersion, kind, workload, pod, revision, service, ingress);
    }

    static String hash(JsonNode node) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(node.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
