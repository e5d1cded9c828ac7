package io.slipway.cli.workload;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for workload-svc's {@code /api/v1/workloads} (a JDK HTTP server on loopback), answering as WorkloadResource
 * does: the kinds it shows, one view as JSON, the views as Server-Sent Events, and a 404 with an {@code error} body
 * for a workload or kind it does not know.
 */
final class FakeWorkloadApi implements AutoCloseable {
    record Seen(String path, String query, String authorization, String accept) {
    }

    final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    volatile List<String> kinds = List.of("statefulsets");
    /** The workload this server knows: its REST path and its views, the first answers GET, all of them are streamed. */
    volatile String workloadPath = "/api/v1/workloads/default/statefulsets/web";
    volatile List<String> views = List.of();
    /** What the stream's path adds to the workload's: workload-svc's workloads stream at /stream, components at /status. */
    volatile String streamSuffix = "/stream";

    FakeWorkloadApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(new Seen(path, ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Accept")));
        if (path.equals("/api/v1/workloads")) {
            answer(ex, 200, "[" + String.join(",", kinds.stream().map(k -> "\"" + k + "\"").toList()) + "]");
        } else if (path.equals(workloadPath) && !views.isEmpty()) {
            answer(ex, 200, views.get(0));
        } else if (path.equals(workloadPath + streamSuffix) && !views.isEmpty()) {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (String view : views) {
                    // as RESTEasy Reactive writes an SSE element of type application/json
                    out.write(("data:" + view + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } else {
            String[] parts = path.split("/"); // /api/v1/workloads/{ns}/{kind}/{name}
            String error = parts.length > 5 && !kinds.contains(parts[5])
                    ? "unknown workload kind '" + parts[5] + "'; known: " + String.join(", ", kinds)
                    : (parts.length > 6 ? parts[5].toLowerCase(java.util.Locale.ROOT) + " " + parts[4] + "/" + parts[6] + " not found" : "not found");
            answer(ex, 404, "{\"error\":\"" + error + "\"}");
        }
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
