package io.slipway.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.slipway.cli.gateway.Gateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console in the gateway against a stand-in API: sign-in, escaping, the CSRF value on mutations, the streams it
 * relays, and the API paths left to the proxy. The browser tests ({@link ConsoleBrowserTest}) run it on a whole stack.
 */
class ConsoleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = jwt("alice", "operator", "viewer");
    private static final String VIEWER = jwt("bob", "viewer");
    private static final String UNKNOWN = jwt("mallory", "operator", "viewer");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private HttpServer api;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.setExecutor(Executors.newCachedThreadPool());
        api.createContext("/", this::answer);
        api.start();
        URI url = URI.create("http://127.0.0.1:" + api.getAddress().getPort());
        gateway = Gateway.bind("127.0.0.1", 0);
        gateway.start(Map.of("build-svc", url, "deploy-svc", url, "infra-svc", url, "event-svc", url, "workload-svc", url));
    }

    @AfterEach
    void stop() {
        gateway.close();
        api.stop(0);
    }

    @Test
    void theRootLeadsToSignInAndATokenTheApiRefusesIsNotKept() throws Exception {
        HttpResponse<String> root = get("/", null);
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/builds");
        assertThat(get("/console/builds", null).headers().firstValue("Location")).hasValue("/console/login");

        HttpResponse<String> notAToken = signIn("hello");
        assertThat(notAToken.statusCode()).isEqualTo(401);
        assertThat(notAToken.body()).contains("That is not a token");
        HttpResponse<String> refused = signIn(UNKNOWN);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("The API refused this token (401)");
        assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void aPageIsRenderedFromTheApiWithTheUsersTokenAndEscaped() throws Exception {
        String cookie = cookie(signIn(OPERATOR));
        HttpResponse<String> page = get("/console/builds", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("alice", ">operator<", "b-1", "&lt;script&gt;").doesNotContain("<script>alert");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString().contains("script-src 'self'");
        assertThat(page.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(get("/console/lag", cookie).body()).contains("slipway.build.events", "deploy-svc.build-catalog", ">7<");
    }

    @Test
    void aMutationNeedsThePagesCsrfValueAndTheApiDecides() throws Exception {
        String operator = cookie(signIn(OPERATOR));
        String viewer = cookie(signIn(VIEWER));

        HttpResponse<String> noCsrf = action(operator, null, null);
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(noCsrf.body()).contains("CSRF");
        HttpResponse<String> crossSite = action(operator, csrf(operator), "http://evil.example");
        assertThat(crossSite.statusCode()).isEqualTo(403);

        JsonNode done = JSON.readTree(action(operator, csrf(operator), null).body());
        assertThat(done.path("ok").asBoolean()).isTrue();
        JsonNode refused = JSON.readTree(action(viewer, csrf(viewer), null).body());
        assertThat(refused.path("status").asInt()).isEqualTo(403);
        assertThat(refused.path("message").asText()).isEqualTo("viewer may not");
    }

    @Test
    void onlyTheApisOwnStreamsAreRelayed() throws Exception {
        String cookie = cookie(signIn(VIEWER));
        HttpResponse<String> log = get("/console/stream/api/v1/builds/b-1/logs", cookie);
        assertThat(log.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
        assertThat(log.body()).contains("data:STEP 1/2", "data:STEP 2/2", "event: end");
        assertThat(get("/console/stream/api/v1/images", cookie).statusCode()).isEqualTo(404);
        assertThat(get("/console/stream/api/v1/builds/b-1/logs", null).statusCode()).isEqualTo(401);
        HttpResponse<String> live = get("/console/live/nothing", cookie);
        assertThat(live.statusCode()).isEqualTo(404);
    }

    @Test
    void signingOutForgetsTheSession() throws Exception {
        String cookie = cookie(signIn(OPERATOR));
        HttpResponse<String> out = http.send(HttpRequest.newBuilder(url("/console/logout")).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(get("/console/builds", cookie).headers().firstValue("Location")).hasValue("/console/login");
    }

    @Test
    void apiPathsStillGoToTheProxy() throws Exception {
        HttpResponse<String> unknown = get("/api/v1/nothing-here", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no service serves /api/v1/nothing-here");
        assertThat(get("/elsewhere", null).body()).contains("no service serves /elsewhere");
        HttpResponse<String> builds = get("/api/v1/builds", null);
        assertThat(builds.statusCode()).isEqualTo(401);
    }

    // the stand-in API: alice is an operator, bob a viewer, anyone else unknown

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String path = exchange.getRequestURI().getPath();
            if (auth == null || !(auth.equals("Bearer " + OPERATOR) || auth.equals("Bearer " + VIEWER))) {
                send(exchange, 401, "application/json", "{\"error\":\"no valid token\"}");
            } else if (exchange.getRequestMethod().equals("DELETE")) {
                boolean operator = auth.equals("Bearer " + OPERATOR);
                send(exchange, operator ? 200 : 403, "application/json", operator ? "{\"removed\":\"x\"}" : "{\"error\":\"viewer may not\"}");
            } else if (path.equals("/api/v1/builds/b-1/logs")) {
                send(exchange, 200, "text/event-stream", "data:STEP 1/2\n\ndata:STEP 2/2\n\n");
            } else if (path.equals("/api/v1/builds")) {
                send(exchange, 200, "application/json", "[{\"id\":\"b-1\",\"image\":\"<script>alert(1)</script>\",\"state\":\"Started\","
                        + "\"layersBuilt\":1,\"layersCached\":0,\"requestedAt\":\"2026-01-01T00:00:00Z\",\"requestedBy\":\"alice\"}]");
            } else if (path.equals("/api/v1/backbone")) {
                send(exchange, 200, "application/json", "{\"domain\":\"deploy\",\"relayLeader\":true,\"consumerLag\":{\"deploy-svc.build-catalog\":7},"
                        + "\"topics\":{\"deploy-svc.build-catalog\":[\"slipway.build.events\"]}}");
            } else {
                send(exchange, 200, "application/json", "[]");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String jwt(String subject, String... groups) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String claims = "{\"upn\":\"" + subject + "\",\"groups\":" + List.of(groups).stream().map(g -> "\"" + g + "\"").toList()
                + ",\"exp\":" + Instant.now().plusSeconds(3600).getEpochSecond() + "}";
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    private HttpResponse<String> signIn(String token) throws Exception {
        return http.send(HttpRequest.newBuilder(url("/console/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<String> signedIn) {
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        String set = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(set).contains("HttpOnly", "SameSite=Strict", "Path=/console");
        return set.substring(0, set.indexOf(';'));
    }

    private String csrf(String cookie) throws Exception {
        Matcher m = Pattern.compile("name=\"slipway-csrf\" content=\"([0-9a-f]+)\"").matcher(get("/console/images", cookie).body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> action(String cookie, String csrf, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url("/console/action/delete-image")).header("Cookie", cookie)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"demo:v1\"}"));
        if (csrf != null) {
            b.header("X-Slipway-CSRF", csrf);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI url(String path) {
        return gateway.url().resolve(path);
    }
}
