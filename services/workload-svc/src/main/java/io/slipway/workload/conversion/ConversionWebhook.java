package io.slipway.workload.conversion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;

/**
 * The CRD conversion webhook ({@code spec.conversion.strategy: Webhook} of workload-svc's CRDs): an
 * {@code apiextensions.k8s.io/v1} ConversionReview in, the same review with its response out. The API server calls it
 * with no bearer token, so it takes none ({@code @PermitAll}; every {@code /api/v1} endpoint keeps its roles); it is
 * served by the service's one HTTP server, which in production serves it over TLS: the API server calls conversion
 * webhooks over HTTPS only, trusting the CA in the CRD's {@code spec.conversion.webhook.clientConfig.caBundle}
 * (docs/workloads.md shows the stanza). It only converts what it is given: it reads and
 * writes nothing.
 */
@Path("/webhooks/convert")
@PermitAll
public class ConversionWebhook {
    static final String API_VERSION = "apiextensions.k8s.io/v1";
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectNode convert(JsonNode review) {
        JsonNode request = review == null ? null : review.get("request");
        if (request == null || !API_VERSION.equals(review.path("apiVersion").asText()) || !"ConversionReview".equals(review.path("kind").asText())
                || !request.path("uid").isTextual()) {
            throw new BadRequestException("not an " + API_VERSION + " ConversionReview with a request uid");
        }
        List<JsonNode> objects = new ArrayList<>();
        request.path("objects").forEach(objects::add);
        ObjectNode answer = JSON.createObjectNode().put("apiVersion", API_VERSION).put("kind", "ConversionReview");
        ObjectNode response = answer.putObject("response").put("uid", request.path("uid").asText());
        switch (Conversions.convert(request.path("desiredAPIVersion").asText(null), objects)) {
            case Conversions.Converted c -> {
                ArrayNode out = response.putArray("convertedObjects");
                c.objects().forEach(out::add);
                response.putObject("result").put("status", "Success");
            }
            case Conversions.Refused r -> {
                response.putArray("convertedObjects");
                response.putObject("result").put("status", "Failure").put("message", r.message());
            }
        }
        return answer;
    }
}
