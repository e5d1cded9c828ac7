package io.slipway.workload.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Kubernetes Events on the object they are about, as client-go's recorder writes them (core/v1, one per occurrence,
 * named after the object), so {@code kubectl describe} and kube-eventer see every CronHPA run and Component phase. An event that cannot
 * be written is logged and dropped: events are best effort on a real cluster too.
 */
public final class KubeEvents {
    private static final Logger LOG = Logger.getLogger(KubeEvents.class);
    private final KubernetesClient client;
    private final String component;

    /** Events from {@code component} (source.component and reportingComponent, as {@code kubectl describe} shows them). */
    public KubeEvents(KubernetesClient client, String component) {
        this.client = client;
        this.component = component;
    }

    public void record(HasMetadata object, String type, String reason, String message, Instant at) {
        String ns = object.getMetadata().getNamespace();
        String time = at.toString();
        try {
            client.v1().events().inNamespace(ns).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(ns)
                    .withName(object.getMetadata().getName() + "." + Long.toHexString(at.toEpochMilli() * 1000 + ThreadLocalRandom.current().nextInt(1000)))
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion(object.getApiVersion()).withKind(object.getKind()).withNamespace(ns)
                    .withName(object.getMetadata().getName()).withUid(object.getMetadata().getUid())
                    .withResourceVersion(object.getMetadata().getResourceVersion()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message).withCount(1)
                    .withFirstTimestamp(time).withLastTimestamp(time)
                    .withNewSource().withComponent(component).endSource().withReportingComponent(component)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("could not record event %s on %s %s/%s: %s", reason, object.getKind(), ns, object.getMetadata().getName(), e.getMessage());
        }
    }
}
