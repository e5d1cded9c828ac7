package io.slipway.workload.kruise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Revisions of a workload's pod template, kept as ControllerRevisions as Kubernetes' StatefulSet and Kruise do: the
 * data is the template, the name is the workload's name and a hash of it, and pods carry that name in
 * {@code controller-revision-hash}.
 */
public final class Revisions {
    public static final String REVISION_LABEL = "controller-revision-hash";
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final char[] SAFE = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    private Revisions() {
    }

    /** The revision's name for {@code template} of workload {@code owner} (stable across processes and restarts). */
    public static String name(String owner, PodTemplateSpec template, int collisionCount) {
        return owner + "-" + hash(data(template), collisionCount);
    }

    /**
     * A short hash of {@code data} (any JSON-serializable value) and a collision count: ten characters that cannot
     * spell words, the same for equal data whatever order its maps came in.
     */
    public static String hash(Object data, int collisionCount) {
        byte[] bytes = (canonical(JSON.valueToTree(data)) + "/" + collisionCount).getBytes(StandardCharsets.UTF_8);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder hash = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                hash.append(SAFE[(digest[i] & 0xff) % SAFE.length]);
            }
            return hash.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ControllerRevision build(HasMetadata owner, String name, PodTemplateSpec template, long revision, Map<String, String> labels) {
        return new ControllerRevisionBuilder().withNewMetadata().withName(name).withNamespace(owner.getMetadata().getNamespace())
                .withLabels(labels).withOwnerReferences(controllerOf(owner)).endMetadata()
                .withData(JSON.convertValue(data(template), Object.class)).withRevision(revision).build();
    }

    /** The template a revision holds. */
    public static PodTemplateSpec template(ControllerRevision revision) {
        JsonNode data = JSON.valueToTree(revision.getData());
        return JSON.convertValue(data.path("spec").path("template"), PodTemplateSpec.class);
    }

    public static OwnerReference controllerOf(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static ObjectNode data(PodTemplateSpec template) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode t = JSON.valueToTree(template);
        t.put("$patch", "replace");
        data.putObject("spec").set("template", t);
        return data;
    }

    /** JSON with object keys sorted, so equal templates hash equally whatever order their maps came in. */
    private static String canonical(JsonNode node) {
        try {
            Object sorted = JSON.treeToValue(node, Object.class);
            return JSON.copy().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsString(sorted);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
