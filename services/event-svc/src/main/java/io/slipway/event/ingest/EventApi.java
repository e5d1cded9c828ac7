package io.slipway.event.ingest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** The two APIs Kubernetes serves Events through; both show the same stored objects. */
enum EventApi {
    CORE("v1", "api/v1"),
    EVENTS("events.k8s.io/v1", "apis/events.k8s.io/v1");

    private final String apiVersion;
    private final String root;

    EventApi(String apiVersion, String root) {
        this.apiVersion = apiVersion;
        this.root = root;
    }

    /** As configured and as recorded in {@code KubeEvent.apiGroup}: {@code v1} or {@code events.k8s.io/v1}. */
    String apiVersion() {
        return apiVersion;
    }

    /** The API named in configuration; the error names the accepted values. */
    static EventApi of(String apiVersion) {
        for (EventApi api : values()) {
            if (api.apiVersion.equals(apiVersion.trim())) {
                return api;
            }
        }
        throw new IllegalArgumentException("unknown event API '" + apiVersion + "' (expected v1 or events.k8s.io/v1)");
    }

    /** The path of the event collection, relative to the API server's URL; all namespaces when {@code namespace} is null. */
    String collectionPath(String namespace) {
        return root + (namespace == null ? "" : "/namespaces/" + namespace) + "/events";
    }

    /** One page of a list. */
    record Page(List<? extends HasMetadata> items, String resourceVersion, String continueToken) {
    }

    Page list(KubernetesClient client, String namespace, ListOptions options) {
        return switch (this) {
            case CORE -> {
                var events = client.v1().events();
                var list = namespace == null ? events.inAnyNamespace().list(options) : events.inNamespace(namespace).list(options);
                yield page(list.getItems(), list.getMetadata());
            }
            case EVENTS -> {
                var events = client.events().v1().events();
                var list = namespace == null ? events.inAnyNamespace().list(options) : events.inNamespace(namespace).list(options);
                yield page(list.getItems(), list.getMetadata());
            }
        };
    }

    private static Page page(List<? extends HasMetadata> items, ListMeta meta) {
        String next = meta.getContinue();
        return new Page(items, meta.getResourceVersion(), next == null || next.isEmpty() ? null : next);
    }
}
