package io.slipway.event;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An HTTP receiver on loopback (the JDK's HttpServer) standing in for DingTalk, Lark, Slack, a webhook or
 * Elasticsearch: it records every request and answers what the test's responder says, after the checks the real
 * service makes (signatures) which the responder implements. It can start later on a port fixed in advance, to be a
 * receiver that is down and comes back.
 */
public final class TestReceiver implements AutoCloseable {

    /** One request as received. */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers, String body, long receivedAt) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** What to answer. */
    public record Answer(int status, String body, Map<String, String> headers) {
        public static Answer ok(String body) {
            return new Answer(200, body, Map.of());
        }

        public static Answer json(int status, String body) {
            return new Answer(status, body, Map.of("Content-Type", "application/json"));
        }
    }

    private final int port;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Answer> responder;
    private HttpServer server;

    private TestReceiver(int port, Function<Request, Answer> responder) {
        this.port = port;
        this.responder = responder;
    }

    /** Listening now, on a free port. */
    public static TestReceiver start(Function<Request, Answer> responder) {
        TestReceiver r = new TestReceiver(io.slipway.embedded.Processes.freePort(), responder);
        r.listen();
        return r;
    }

    /** Not listening yet (connections are refused) until {@link #listen()}. */
    public static TestReceiver down(Function<Request, Answer> responder) {
        return new TestReceiver(io.slipway.embedded.Processes.freePort(), responder);
    }

    public synchronized void listen() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    public void respond(Function<Request, Answer> responder) {
        this.responder = responder;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), query(exchange.getRequestURI().getRawQuery()),
                    headers, body, System.currentTimeMillis());
            Answer answer = responder.apply(request);
            requests.add(request);
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }
}
