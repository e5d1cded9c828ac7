package io.slipway.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver as a careful integration writes one: it applies each delivery once, by its {@code Idempotency-Key}
 * (the sink's at-least-once delivery may offer an event again after a crash), and counts what it dropped as already
 * applied. {@link #down()} closes its port (connection refused, as a receiver that is down refuses), {@link #up()}
 * opens the same port again.
 */
final class HookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final Map<String, String> appliedByKey = new ConcurrentHashMap<>();
    private final Set<String> messages = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> applications = new ConcurrentHashMap<>();
    private final AtomicInteger redelivered = new AtomicInteger();
    private HttpServer server;

    HookReceiver() {
        this.port = io.slipway.embedded.Processes.freePort();
        up();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    synchronized void up() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the receiver on port " + port, e);
        }
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            int status = 200;
            if (key == null) {
                status = 400;
            } else {
                JsonNode doc = JSON.readTree(body);
                String message = doc.path("message").asText();
                if (appliedByKey.putIfAbsent(key, message) == null) {
                    messages.add(message);
                    applications.computeIfAbsent(message, m -> new AtomicInteger()).incrementAndGet();
                } else {
                    redelivered.incrementAndGet();
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Whether the event whose message is {@code message} was applied. */
    boolean applied(String message) {
        return messages.contains(message);
    }

    /** How many times an event with this message was applied (more than once: two keys for one event). */
    int applications(String message) {
        AtomicInteger n = applications.get(message);
        return n == null ? 0 : n.get();
    }

    int redelivered() {
        return redelivered.get();
    }

    @Override
    public void close() {
        down();
    }
}
