package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP to a simulated cluster, for tests that check the API server's answers (codes, Status bodies) exactly. */
final class KubeHttp implements AutoCloseable {
    /** One answer: its code and its body as JSON (an empty object for an empty body). */
    record Answer(int code, JsonNode body) {
        String message() {
            return body.path("message").asText();
        }

        String reason() {
            return body.path("reason").asText();
        }
    }

    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";

    /** An answer the server never sends fails the test instead of hanging it (fabric8's patch handler once did that). */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String url;
    private final HttpClient http = HttpClient.newHttpClient();

    KubeHttp(SimulatedCluster cluster) {
        this.url = cluster.url();
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Serialization.jsonMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    Answer post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    Answer put(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    Answer patch(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", contentType)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer delete(String path, String options) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
        if (options == null) {
            b.DELETE();
        } else {
            b.header("Content-Type", "application/json").method("DELETE", HttpRequest.BodyPublishers.ofString(options));
        }
        return send(b);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Answer(response.statusCode(), body == null || body.isBlank() ? Serialization.jsonMapper().createObjectNode()
                    : Serialization.jsonMapper().readTree(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
