package io.slipway.workload.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;

/** {@code admission.k8s.io/v1} AdmissionReview requests read and responses written, as the API server expects them. */
public final class AdmissionReviews {
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final EnumSet<DiffFlags> PLAIN_PATCH = EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION,
            DiffFlags.OMIT_COPY_OPERATION);

    private AdmissionReviews() {
    }

    /** An AdmissionReview's request, the fields a webhook decides by. */
    public record Request(String uid, String operation, String group, String resource, String subResource, String namespace, String name,
                          JsonNode object, JsonNode oldObject) {
        public static Request of(JsonNode review) {
            JsonNode r = review.path("request");
            if (!"admission.k8s.io/v1".equals(review.path("apiVersion").asText()) || !"AdmissionReview".equals(review.path("kind").asText())
                    || !r.path("uid").isTextual()) {
                throw new IllegalArgumentException("not an admission.k8s.io/v1 AdmissionReview with a request uid");
            }
            return new Request(r.path("uid").asText(), r.path("operation").asText(), r.path("resource").path("group").asText(),
                    r.path("resource").path("resource").asText(), r.path("subResource").asText(""), r.path("namespace").asText(""),
                    r.path("name").asText(""), r.get("object"), r.get("oldObject"));
        }
    }

    public static ObjectNode allowed(String uid) {
        ObjectNode review = review();
        review.putObject("response").put("uid", uid).put("allowed", true);
        return review;
    }

    /** Allowed with the JSON patch that turns {@code before} into {@code after}; a plain allowed when they are equal. */
    public static ObjectNode patched(String uid, JsonNode before, JsonNode after) {
        JsonNode patch = JsonDiff.asJson(before, after, PLAIN_PATCH);
        if (patch.isEmpty()) {
            return allowed(uid);
        }
        ObjectNode review = allowed(uid);
        ((ObjectNode) review.get("response")).put("patchType", "JSONPatch")
                .put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
        return review;
    }

    /** Refused, with the HTTP code and reason the API server reports and the message the user reads. */
    public static ObjectNode denied(String uid, int code, String reason, String message) {
        ObjectNode review = review();
        ObjectNode response = review.putObject("response").put("uid", uid).put("allowed", false);
        response.putObject("status").put("code", code).put("reason", reason).put("message", message);
        return review;
    }

    private static ObjectNode review() {
        return JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    }
}
