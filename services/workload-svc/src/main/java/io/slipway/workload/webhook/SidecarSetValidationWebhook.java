package io.slipway.workload.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import io.slipway.workload.kruise.sidecarset.SidecarSetConversion;
import io.slipway.workload.kruise.sidecarset.SidecarSetValidation;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The SidecarSet validating webhook (Kruise's {@code /validate-apps-kruise-io-sidecarset}): a SidecarSet created or
 * changed in either version is refused with every problem, each naming its field. Called by the API server, so no
 * bearer token.
 */
@Path("/webhooks/validate-sidecarset")
@PermitAll
public class SidecarSetValidationWebhook {
    private static final Logger LOG = Logger.getLogger(SidecarSetValidationWebhook.class);
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private final AdmissionCache cache;

    SidecarSetValidationWebhook(AdmissionCache cache) {
        this.cache = cache;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectNode review(JsonNode body) {
        AdmissionReviews.Request request = Webhooks.request(body);
        boolean write = "CREATE".equals(request.operation()) || "UPDATE".equals(request.operation());
        if (!write || !SidecarSet.GROUP.equals(request.group()) || !"sidecarsets".equals(request.resource())
                || !request.subResource().isEmpty() || !(request.object() instanceof ObjectNode object)) {
            return AdmissionReviews.allowed(request.uid());
        }
        SidecarSet set;
        try {
            set = JSON.convertValue(SidecarSetConversion.to(SidecarSet.API_VERSION, object), SidecarSet.class);
        } catch (IllegalArgumentException e) {
            return AdmissionReviews.denied(request.uid(), 422, "Invalid", "SidecarSet " + request.name() + " cannot be read: " + e.getMessage());
        }
        List<String> problems = new java.util.ArrayList<>(SidecarSetValidation.problems(set, cache.sidecarSets()));
        if ("UPDATE".equals(request.operation()) && request.oldObject() instanceof ObjectNode old) {
            try {
                problems.addAll(SidecarSetValidation.changes(set, JSON.convertValue(SidecarSetConversion.to(SidecarSet.API_VERSION, old), SidecarSet.class)));
            } catch (IllegalArgumentException e) {
                LOG.debugf("the stored SidecarSet %s cannot be read (%s): only the new one is checked", request.name(), e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            return AdmissionReviews.allowed(request.uid());
        }
        String message = "SidecarSet.apps.kruise.io \"" + set.getMetadata().getName() + "\" is invalid: " + String.join("; ", problems);
        LOG.infof("refused %s", message);
        return AdmissionReviews.denied(request.uid(), 422, "Invalid", message);
    }
}
