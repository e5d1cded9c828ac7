package io.slipway.cli.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** {@code GET /healthz}: every service's {@code /q/health}, asked in parallel; 200 when all are UP, 503 otherwise. */
final class HealthHandler implements HttpHandler {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Map<String, URI> serviceUrls;
    private final HttpClient client;

    HealthHandler(Map<String, URI> serviceUrls, HttpClient client) {
        this.serviceUrls = new TreeMap<>(serviceUrls);
        this.client = client;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, CompletableFuture<String>> probes = new LinkedHashMap<>();
            serviceUrls.forEach((name, url) -> probes.put(name, probe(url)));
            Map<String, String> states = new LinkedHashMap<>();
            probes.forEach((name, state) -> states.put(name, state.join()));
            boolean up = states.values().stream().allMatch("UP"::equals);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            body.put("services", states);
            Json.send(exchange, up ? 200 : 503, body);
        }
    }

    private CompletableFuture<String> probe(URI base) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/q/health")).timeout(TIMEOUT).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 && r.body().contains("\"UP\"") ? "UP" : "DOWN")
                .exceptionally(e -> "DOWN");
    }
}
