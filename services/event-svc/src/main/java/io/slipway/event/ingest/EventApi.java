package io.slipway.event.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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

    /** One page of a list: its Events as occurrences, the list's resourceVersion, and the continuation if there is more. */
    record Page(List<Occurrence> items, String resourceVersion, String continueToken) {
    }

    /**
     * One page of the Events in {@code namespace} (all when null), read over the client's HTTP client and parsed as it
     * streams in ({@link EventJson}), like the watch; a failure answer is a {@link KubernetesClientException} with
     * the API server's code (410: the continuation expired).
     */
    Page list(KubernetesClient client, String namespace, int limit, String continueToken) {
        String master = client.getConfiguration().getMasterUrl();
        String uri = (master.endsWith("/") ? master : master + "/") + collectionPath(namespace) + "?limit=" + limit
                + (continueToken == null ? "" : "&continue=" + URLEncoder.encode(continueToken, StandardCharsets.UTF_8));
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(uri).header("Accept", "application/json")
                .timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS).build();
        HttpResponse<byte[]> response;
        try {
            response = http.sendAsync(request, byte[].class).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while listing " + collectionPath(namespace), e);
        } catch (ExecutionException e) {
            throw new KubernetesClientException("listing " + collectionPath(namespace) + " failed: " + e.getCause().getMessage(), e.getCause());
        }
        try {
            if (!response.isSuccessful()) {
                EventJson.Fields status = EventJson.object(new String(response.body(), StandardCharsets.UTF_8));
                throw new KubernetesClientException("listing " + collectionPath(namespace) + ": " + response.code() + " "
                        + status.reason + " " + status.message, response.code(), null);
            }
            return page(response.body());
        } catch (IOException e) {
            throw new KubernetesClientException("unreadable answer to listing " + collectionPath(namespace) + " (" + response.code()
                    + "): " + e.getMessage(), e);
        }
    }

    private Page page(byte[] body) throws IOException {
        List<Occurrence> items = new ArrayList<>();
        String resourceVersion = null;
        String next = null;
        try (JsonParser p = EventJson.JSON.createParser(body)) {
            p.nextToken();
            EventJson.expect(p, JsonToken.START_OBJECT, "a list object");
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                if (name.equals("metadata") && value == JsonToken.START_OBJECT) {
                    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                        p.nextToken();
                        switch (field) {
                            case "resourceVersion" -> resourceVersion = EventJson.text(p);
                            case "continue" -> next = EventJson.text(p);
                            default -> p.skipChildren();
                        }
                    }
                } else if (name.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        EventJson.Fields item = EventJson.object(p);
                        if (!item.hasMetadata) {
                            throw new JsonParseException(p, "a listed Event without metadata");
                        }
                        items.add(Occurrence.of(item, this));
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Page(items, resourceVersion, next == null || next.isEmpty() ? null : next);
    }
}
