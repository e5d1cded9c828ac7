package io.slipway.workload.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.sidecarset.SidecarInjection;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The pod admission webhook (Kruise's {@code /mutate-pod}): the API server sends every pod it is about to create, and
 * gets back the JSON patch that injects the SidecarSets selecting it. Called by the API server, so no bearer token
 * (the TLS certificate the API server verifies is what authenticates this end).
 */
@Path("/webhooks/mutate-pod")
@PermitAll
public class PodMutationWebhook {
    private static final Logger LOG = Logger.getLogger(PodMutationWebhook.class);
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private final AdmissionCache cache;

    PodMutationWebhook(AdmissionCache cache) {
        this.cache = cache;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectNode review(JsonNode body) {
        AdmissionReviews.Request request = Webhooks.request(body);
        if (!"CREATE".equals(request.operation()) || !request.group().isEmpty() || !"pods".equals(request.resource())
                || !request.subResource().isEmpty() || request.object() == null) {
            return AdmissionReviews.allowed(request.uid());
        }
        Pod pod = JSON.convertValue(request.object(), Pod.class);
        String namespace = pod.getMetadata().getNamespace() != null ? pod.getMetadata().getNamespace() : request.namespace();
        var outcome = SidecarInjection.inject(pod, namespace, cache.namespaceLabels(namespace), cache.sidecarSets(), Instant.now());
        if (!outcome.allowed()) {
            LOG.infof("refused pod %s/%s: %s", namespace, name(pod), outcome.refusal());
            return AdmissionReviews.denied(request.uid(), 403, "Forbidden", outcome.refusal());
        }
        if (!outcome.changed()) {
            return AdmissionReviews.allowed(request.uid());
        }
        LOG.debugf("pod %s/%s: injecting SidecarSets %s", namespace, name(pod), outcome.sidecarSets());
        return AdmissionReviews.patched(request.uid(), JSON.valueToTree(pod), JSON.valueToTree(outcome.pod()));
    }

    private static String name(Pod pod) {
        return pod.getMetadata().getName() != null ? pod.getMetadata().getName() : pod.getMetadata().getGenerateName() + "*";
    }
}
