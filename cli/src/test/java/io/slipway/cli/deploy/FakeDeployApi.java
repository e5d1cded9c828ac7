package io.slipway.cli.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for deploy-svc's REST API (a JDK HTTP server on loopback) so the commands' requests can be asserted exactly:
 * it records each request and answers what the test scripted, including a Server-Sent Events progress stream.
 */
final class FakeDeployApi implements AutoCloseable {
    record Seen(String method, String path, String contentType, String body) {
    }

    final List<Seen> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    volatile int status = 202;
    volatile String answer = "{\"name\":\"demo\",\"state\":\"Installing\",\"message\":\"run requested\",\"generation\":1}";
    volatile List<String> progress = List.of();

    FakeDeployApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath() + (ex.getRequestURI().getQuery() == null ? "" : "?" + ex.getRequestURI().getQuery());
        requests.add(new Seen(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Content-Type"), body));
        if (path.endsWith("/progress")) {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (String data : progress) {
                    out.write(("data:" + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            return;
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
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
