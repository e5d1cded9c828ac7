package io.slipway.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.gateway.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The console's only way to data: the services' public API, called with the signed-in user's own bearer token, so a
 * viewer sees what a viewer may see and a mutation is the API's to allow or refuse.
 */
final class Upstream {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** An API answer: its status and body; {@code json} is null when the body is not JSON. */
    record Answer(int status, String body, JsonNode json) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The API's own words for a refusal: its {@code error} (or {@code message}) field, else the raw body. */
        String error() {
            if (json != null && json.hasNonNull("error")) {
                return json.get("error").asText();
            }
            if (json != null && json.hasNonNull("message")) {
                return json.get("message").asText();
            }
            if (body == null || body.isBlank()) {
                // Quarkus refuses a role without a body
                return switch (status) {
                    case 401 -> "the token was not accepted";
                    case 403 -> "this token's role may not do this";
                    default -> "HTTP " + status;
                };
            }
            return body;
        }
    }

    private final Routes routes;
    private final Map<String, URI> serviceUrls;
    private final HttpClient client;

    Upstream(Map<String, URI> serviceUrls, HttpClient client) {
        this.routes = Routes.standard(serviceUrls);
        this.serviceUrls = serviceUrls;
        this.client = client;
    }

    /** The names of the services behind the gateway, for what each serves on its own (its backbone status). */
    Iterable<String> services() {
        return serviceUrls.keySet();
    }

    Answer get(String apiPath, String token) {
        return send(target(apiPath), "GET", token);
    }

    Answer delete(String apiPath, String token) {
        return send(target(apiPath), "DELETE", token);
    }

    /** {@code path} on one service itself: paths every service serves alike, which the gateway cannot route by prefix. */
    Answer getFrom(String service, String path, String token) {
        URI base = serviceUrls.get(service);
        String b = base.toString();
        return send(URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path), "GET", token);
    }

    /** An event stream of the API, opened with the user's token; the caller reads and closes its body. */
    HttpResponse<InputStream> stream(String apiPath, String token) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(target(apiPath)).GET()
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token)
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Whether {@code apiPath} (without query) is one the gateway routes. */
    boolean routed(String apiPath) {
        int q = apiPath.indexOf('?');
        return routes.resolve(q < 0 ? apiPath : apiPath.substring(0, q)).isPresent();
    }

    private URI target(String apiPath) {
        int q = apiPath.indexOf('?');
        Optional<Routes.Route> route = routes.resolve(q < 0 ? apiPath : apiPath.substring(0, q));
        return route.orElseThrow(() -> new IllegalArgumentException("no service serves " + apiPath)).target(apiPath);
    }

    private Answer send(URI uri, String method, String token) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token)
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), parse(response.body()));
        } catch (IOException e) {
            return new Answer(503, null, JSON.createObjectNode().put("error", "not reachable: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(503, null, JSON.createObjectNode().put("error", "interrupted"));
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
