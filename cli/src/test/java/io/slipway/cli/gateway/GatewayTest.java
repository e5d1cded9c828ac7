package io.slipway.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.slipway.testkit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway against a stand-in upstream: what passes through unchanged, what is dropped, and what streams. */
class GatewayTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch releaseSecondEvent = new CountDownLatch(1);
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private HttpServer upstream;
    private Gateway gateway;
    private int deadPort;

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/api/v1/builds", this::echo);
        upstream.createContext("/api/v1/deploy/stream", this::events);
        upstream.createContext("/api/v1/sinks", this::echo);
        upstream.start();
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        URI live = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
        URI dead = URI.create("http://127.0.0.1:" + deadPort);
        gateway = Gateway.bind("127.0.0.1", 0);
        gateway.start(Map.of("build-svc", live, "deploy-svc", live, "infra-svc", dead, "event-svc", live, "workload-svc", live));
    }

    @AfterEach
    void stop() {
        releaseSecondEvent.countDown();
        gateway.close();
        upstream.stop(0);
    }

    @Test
    void methodPathQueryHeadersAndBodyPassThrough() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/api/v1/builds/b-1?limit=5&q=a%20b"))
                .header("Authorization", "Bearer t0k3n")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method("PUT", HttpRequest.BodyPublishers.ofString("{\"image\":\"etcd:v1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("{\"image\":\"etcd:v1\"}");
        assertThat(r.headers().firstValue("X-Upstream")).hasValue("yes");
        assertThat(r.headers().firstValue("Keep-Alive")).isEmpty();
        assertThat(seen).containsEntry("method", "PUT")
                .containsEntry("uri", "/api/v1/builds/b-1?limit=5&q=a%20b")
                .containsEntry("authorization", "Bearer t0k3n")
                .containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .containsEntry("content-type", "application/json")
                .containsEntry("accept", "application/json")
                .containsEntry("x-forwarded-host", "127.0.0.1:" + gateway.port());
    }

    @Test
    void aClientsForwardedForIsNotBelievedAndAPathThatClimbsIsRefused() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/api/v1/builds/b-1"))
                .header("X-Forwarded-For", "10.9.9.9").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(seen).containsEntry("x-forwarded-for", "127.0.0.1");

        seen.clear();
        for (String path : List.of("/api/v1/builds/../../q/metrics", "/api/v1/builds/%2e%2e/%2E%2E/q/metrics", "/api/v1/builds/x%2f..%2fy",
                "/api/v1/builds//b-1", "/api/v1/builds/./b-1")) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(path).isEqualTo(400);
            assertThat(refused.body()).as(path).contains("send it normalized");
        }
        assertThat(seen).as("nothing reached the service").isEmpty();
    }

    @Test
    void aBodyLargerThanTheServiceTakesIsA413AtTheEdge() throws Exception {
        long limit = Routes.DEFAULT_BODY_LIMIT;
        // declared too large: refused from the headers alone, the service never sees the request
        String declared = rawRequest("POST /api/v1/sinks HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
                + (limit + 1) + "\r\n\r\n", out -> { });
        assertThat(declared).startsWith("HTTP/1.1 413").contains("event-svc takes at most " + limit + " bytes at /api/v1/sinks");
        assertThat(seen).isEmpty();

        // chunked: refused once the count goes past the limit
        byte[] chunk = new byte[64 * 1024];
        String chunked = rawRequest("POST /api/v1/sinks HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", out -> {
                    for (long sent = 0; sent <= limit; sent += chunk.length) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                });
        assertThat(chunked).startsWith("HTTP/1.1 413").contains("goes past the limit");

        // build-svc takes archives far larger than the other services
        assertThat(Routes.standard(Map.of("build-svc", URI.create("http://127.0.0.1:1"), "deploy-svc", URI.create("http://127.0.0.1:1"),
                        "infra-svc", URI.create("http://127.0.0.1:1"), "event-svc", URI.create("http://127.0.0.1:1"),
                        "workload-svc", URI.create("http://127.0.0.1:1"))).resolve("/api/v1/builds/contexts").orElseThrow().maxBodyBytes())
                .isEqualTo(4L << 30);
    }

    private String rawRequest(String head, RawHttp.BodyWriter body) throws IOException {
        return RawHttp.exchange(gateway.port(), head, body);
    }

    @Test
    void serverSentEventsArriveBeforeTheStreamEnds() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/api/v1/deploy/stream"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        try (BufferedReader events = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            // the upstream holds the second event back until the first has been read through the gateway
            assertThat(events.readLine()).isEqualTo("data: first");
            releaseSecondEvent.countDown();
            assertThat(events.readLine()).isEmpty();
            assertThat(events.readLine()).isEqualTo("data: second");
        }
    }

    @Test
    void anUnknownPrefixIsA404NamingThePath() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/api/v1/nothing/here")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"error\":\"no service serves /api/v1/nothing/here\"}");
    }

    @Test
    void aServiceThatIsDownIsA503NamingIt() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/api/v1/nodes")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"service\":\"infra-svc\"").contains("infra-svc is not reachable");
    }

    @Test
    void healthzReportsEachServiceAndIsDownWhileOneIs() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"status\":\"DOWN\"").contains("\"infra-svc\":\"DOWN\"");
    }

    @Test
    void livezIsUpWhileTheGatewayServesEvenWithAServiceDown() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/livez")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    private void echo(HttpExchange exchange) throws IOException {
        try (exchange) {
            seen.put("method", exchange.getRequestMethod());
            seen.put("uri", exchange.getRequestURI().toString());
            exchange.getRequestHeaders().forEach((k, v) -> seen.put(k.toLowerCase(Locale.ROOT), v.getFirst()));
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("X-Upstream", "yes");
            exchange.getResponseHeaders().set("Keep-Alive", "timeout=5");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (releaseSecondEvent.await(30, TimeUnit.SECONDS)) {
                out.write("data: second\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
