package io.slipway.workload.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.BadRequestException;

/** What the webhook endpoints share: an AdmissionReview that is none is a bad request, not a refusal. */
final class Webhooks {
    private Webhooks() {
    }

    static AdmissionReviews.Request request(JsonNode body) {
        try {
            return AdmissionReviews.Request.of(body == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : body);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }
}
