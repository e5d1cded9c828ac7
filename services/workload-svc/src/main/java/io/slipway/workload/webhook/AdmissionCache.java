package io.slipway.workload.webhook;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The SidecarSets and namespaces the webhooks decide by, from watches. Never read from the API server while it waits
 * for an admission answer: a webhook that called back could hold up the very request it is admitting (Kruise's
 * webhooks read their informer caches for the same reason). Like Kruise's, the cache may be a moment behind a
 * SidecarSet just created.
 */
@ApplicationScoped
public class AdmissionCache {
    private static final Logger LOG = Logger.getLogger(AdmissionCache.class);

    private final KubernetesClient client;
    private final WebhookConfig config;
    private SharedIndexInformer<SidecarSet> sidecarSets;
    private SharedIndexInformer<Namespace> namespaces;

    AdmissionCache(KubernetesClient client, WebhookConfig config) {
        this.client = client;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.enabled()) {
            return;
        }
        sidecarSets = client.resources(SidecarSet.class).runnableInformer(0);
        namespaces = client.namespaces().runnableInformer(0);
        sidecarSets.start();
        namespaces.start();
        LOG.debugf("admission cache watching SidecarSets and namespaces of %s", client.getMasterUrl());
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (sidecarSets != null) {
            sidecarSets.close();
            namespaces.close();
        }
    }

    public List<SidecarSet> sidecarSets() {
        return sidecarSets == null ? List.of() : sidecarSets.getStore().list();
    }

    /** The namespace's labels; none when it is not (yet) known. */
    public Map<String, String> namespaceLabels(String namespace) {
        Namespace ns = namespaces == null ? null : namespaces.getStore().getByKey(namespace);
        return ns == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
    }

    /** Whether both watches have listed once (before that, an answer could miss a SidecarSet). */
    public boolean synced() {
        return sidecarSets != null && sidecarSets.hasSynced() && namespaces.hasSynced();
    }
}
