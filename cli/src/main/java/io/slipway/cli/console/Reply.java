package io.slipway.cli.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The console's answers: pages, JSON, redirects, files and Server-Sent Events. */
final class Reply {
    private Reply() {
    }

    static void html(HttpExchange exchange, int status, String html) throws IOException {
        exchange.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'");
        bytes(exchange, status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        bytes(exchange, status, "application/json", Upstream.JSON.writeValueAsBytes(body));
    }

    /** 303: after a POST the browser follows with a GET. */
    static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(303, -1);
    }

    static void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Starts an event stream (sent chunked, as it is written). */
    static OutputStream eventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    static void event(OutputStream out, String data) throws IOException {
        event(out, null, data);
    }

    /** One event; each line of {@code data} is a {@code data:} field, which the browser joins again with newlines. */
    static void event(OutputStream out, String name, String data) throws IOException {
        StringBuilder e = new StringBuilder();
        if (name != null) {
            e.append("event: ").append(name).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            e.append("data: ").append(line).append('\n');
        }
        out.write(e.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
