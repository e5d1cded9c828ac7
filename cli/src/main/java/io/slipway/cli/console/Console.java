package io.slipway.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.quarkus.qute.RawString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The live web console the gateway serves at {@code /}: server-rendered pages (Qute) over the public API, called with
 * the signed-in user's token, and kept live over Server-Sent Events. Any other path goes to {@code fallback} (the
 * gateway's proxy), so the console adds pages without changing what the API paths answer. Design: DESIGN.md beside
 * this class.
 */
public final class Console implements HttpHandler {
    static final String BASE = "/console";
    private static final String CSRF_HEADER = "X-Slipway-CSRF";
    /** How often a live part is read again from the API while a page is open. */
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Pattern STATIC = Pattern.compile("[a-z0-9-]+\\.(js|css)");

    /**
     * The event streams a page may follow, all GETs of the API: a build's log, a cluster's host steps, a pool's nodes,
     * a workload's or a Component's rollout, Kubernetes events as they arrive.
     */
    private static final List<Pattern> STREAMS = List.of(
            Pattern.compile("/api/v1/builds/[A-Za-z0-9-]+/logs"),
            Pattern.compile("/api/v1/deploy/clusters/[A-Za-z0-9._-]+/progress"),
            Pattern.compile("/api/v1/infra/pools/[A-Za-z0-9._-]+/events"),
            Pattern.compile("/api/v1/workloads/[a-z0-9.-]+/[A-Za-z]+/[a-z0-9.-]+/stream(\\?cluster=[A-Za-z0-9._@:-]+)?"),
            Pattern.compile("/api/v1/components/[A-Za-z0-9._@:-]+/[a-z0-9.-]+/[a-z0-9.-]+/status"),
            Pattern.compile("/api/v1/kube-events/stream"));

    /** The mutations the pages offer: what the API is asked, from the one parameter each takes. */
    private static final Map<String, Action> ACTIONS = Map.of(
            "delete-image", new Action("DELETE", name -> "/api/v1/images?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)),
            "delete-cluster", new Action("DELETE", name -> "/api/v1/deploy/clusters/" + segment(name)),
            "delete-pool", new Action("DELETE", id -> "/api/v1/infra/pools/" + segment(id)));

    private record Action(String method, Function<String, String> path) {
    }

    private final HttpHandler fallback;
    private final Upstream api;
    private final Sessions sessions = new Sessions();
    private final Templates templates = new Templates();

    public Console(Map<String, URI> serviceUrls, HttpClient client, HttpHandler fallback) {
        this.fallback = fallback;
        this.api = new Upstream(serviceUrls, client);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (!path.equals("/") && !path.equals(BASE) && !path.startsWith(BASE + "/")) {
            fallback.handle(exchange);
            return;
        }
        try (exchange) {
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "same-origin");
            if (path.equals("/")) {
                Reply.redirect(exchange, BASE + "/" + Pages.BUILDS.path);
                return;
            }
            route(exchange, path.equals(BASE) ? "" : path.substring(BASE.length() + 1));
        }
    }

    private void route(HttpExchange exchange, String rest) throws IOException {
        String method = exchange.getRequestMethod();
        if (rest.startsWith("static/")) {
            staticFile(exchange, rest.substring("static/".length()));
            return;
        }
        if (method.equals("POST") && !sameOrigin(exchange)) {
            Reply.json(exchange, 403, Map.of("error", "a cross-site request to the console is refused"));
            return;
        }
        if (rest.equals("login")) {
            if (method.equals("POST")) {
                login(exchange);
            } else {
                Reply.html(exchange, 200, templates.render("login", Map.of("error", "")));
            }
            return;
        }
        Optional<Sessions.Session> session = sessions.find(exchange.getRequestHeaders().get("Cookie"));
        if (session.isEmpty()) {
            if (method.equals("GET") && !rest.startsWith("live/") && !rest.startsWith("stream/")) {
                Reply.redirect(exchange, BASE + "/login");
            } else {
                Reply.json(exchange, 401, Map.of("error", "sign in to the console first"));
            }
            return;
        }
        Sessions.Session s = session.get();
        if (rest.equals("logout") && method.equals("POST")) {
            sessions.close(s);
            exchange.getResponseHeaders().add("Set-Cookie", Sessions.clearCookie());
            Reply.redirect(exchange, BASE + "/login");
        } else if (rest.isEmpty()) {
            Reply.redirect(exchange, BASE + "/" + Pages.BUILDS.path);
        } else if (rest.startsWith("live/") && method.equals("GET")) {
            live(exchange, s, rest.substring("live/".length()));
        } else if (rest.startsWith("stream/") && method.equals("GET")) {
            stream(exchange, s, "/" + rest.substring("stream/".length()), exchange.getRequestURI().getRawQuery());
        } else if (rest.startsWith("action/") && method.equals("POST")) {
            action(exchange, s, rest.substring("action/".length()));
        } else if (method.equals("GET") && Pages.named(rest).isPresent()) {
            page(exchange, s, Pages.named(rest).get());
        } else {
            Reply.json(exchange, 404, Map.of("error", "the console has no " + exchange.getRequestURI().getRawPath()));
        }
    }

    /** A token is accepted once the API accepts it: the console keeps it only after a read with it succeeded. */
    private void login(HttpExchange exchange) throws IOException {
        String token = form(exchange).getOrDefault("token", "").trim();
        if (token.startsWith("Bearer ")) {
            token = token.substring("Bearer ".length()).trim();
        }
        Optional<Sessions.Session> session = token.isEmpty() ? Optional.empty() : sessions.open(token);
        String error;
        if (session.isEmpty()) {
            error = "That is not a token: paste what `slipway token --role viewer` (or operator) prints.";
        } else {
            Upstream.Answer probe = api.get("/api/v1/builds?limit=1", token);
            if (probe.ok()) {
                exchange.getResponseHeaders().add("Set-Cookie", Sessions.setCookie(session.get()));
                Reply.redirect(exchange, BASE + "/" + Pages.BUILDS.path);
                return;
            }
            sessions.close(session.get());
            error = "The API refused this token (" + probe.status() + "): " + probe.error();
        }
        Reply.html(exchange, 401, templates.render("login", Map.of("error", error)));
    }

    private void page(HttpExchange exchange, Sessions.Session s, Pages page) throws IOException {
        Map<String, Object> data = layout(s, page);
        data.put("live", new RawString(fragment(page, s)));
        Reply.html(exchange, 200, templates.render("pages/" + page.path, data));
    }

    private Map<String, Object> layout(Sessions.Session s, Pages current) {
        List<Map<String, Object>> nav = new ArrayList<>();
        for (Pages p : Pages.values()) {
            nav.add(Map.of("path", BASE + "/" + p.path, "title", p.title, "current", p == current));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", current.title);
        data.put("page", current.path);
        data.put("nav", nav);
        data.put("subject", s.subject());
        data.put("role", s.role());
        data.put("readOnly", s.readOnly());
        data.put("csrf", s.csrf());
        return data;
    }

    private String fragment(Pages page, Sessions.Session s) {
        Map<String, Object> data = page.load(api, s.token());
        data.put("readOnly", s.readOnly());
        return templates.render("live/" + page.path, data);
    }

    /** The page's live part as an event stream: rendered again every tick, sent when it changed, until the page closes. */
    private void live(HttpExchange exchange, Sessions.Session s, String name) throws IOException {
        Optional<Pages> page = Pages.named(name);
        if (page.isEmpty()) {
            Reply.json(exchange, 404, Map.of("error", "no console page " + name));
            return;
        }
        OutputStream out = Reply.eventStream(exchange);
        String last = null;
        while (sessions.alive(s)) {
            String html = fragment(page.get(), s);
            if (!html.equals(last)) {
                Reply.event(out, html);
                last = html;
            } else {
                // a comment: nothing for the page, but a closed page fails this write and ends the loop
                out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (!pause()) {
                return;
            }
        }
    }

    /** One of the API's event streams, relayed with the session's token; a refusal is an {@code refused} event. */
    private void stream(HttpExchange exchange, Sessions.Session s, String apiPath, String query) throws IOException {
        String target = query == null ? apiPath : apiPath + "?" + query;
        if (STREAMS.stream().noneMatch(p -> p.matcher(target).matches())) {
            Reply.json(exchange, 404, Map.of("error", "the console follows no stream at " + target));
            return;
        }
        // answered at once: a service may hold its headers back until its first event, and the page's EventSource
        // only reports itself open once headers arrive
        OutputStream out = Reply.eventStream(exchange);
        out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        HttpResponse<InputStream> upstream;
        try {
            upstream = api.stream(target, s.token());
        } catch (IOException e) {
            Reply.event(out, "refused", "not reachable: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (InputStream in = upstream.body()) {
            if (upstream.statusCode() != 200) {
                JsonNode body = parse(in.readAllBytes());
                String reason = body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + upstream.statusCode();
                Reply.event(out, "refused", upstream.statusCode() + " " + reason);
                return;
            }
            if (relay(in, out)) {
                Reply.event(out, "end", "the stream ended");
            }
        }
    }

    /**
     * Copies an upstream event stream to the page as it arrives, true once it ended. A read of its own thread feeds
     * this loop, which writes a comment whenever a tick passes without data: a page that went away fails that write, so
     * a quiet stream (no Kubernetes event for hours) does not hold a gateway thread for nothing.
     */
    private static boolean relay(InputStream in, OutputStream out) throws IOException {
        BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        byte[] end = new byte[0];
        Thread reader = Thread.ofVirtual().name("console-relay").start(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    chunks.add(Arrays.copyOf(buffer, n));
                }
            } catch (IOException e) {
                // closed below once the page went away, or the service dropped the stream: it ends either way
            }
            chunks.add(end);
        });
        try {
            for (byte[] chunk; (chunk = chunks.poll(TICK.toMillis(), TimeUnit.MILLISECONDS)) != end; ) {
                out.write(chunk == null ? ":\n\n".getBytes(StandardCharsets.UTF_8) : chunk);
                out.flush();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            in.close();
            reader.interrupt();
        }
    }

    /** A mutation: only with the session's CSRF value; the API decides, and its status and words go back to the page. */
    private void action(HttpExchange exchange, Sessions.Session s, String name) throws IOException {
        Action action = ACTIONS.get(name);
        if (action == null) {
            Reply.json(exchange, 404, Map.of("error", "the console has no action " + name));
            return;
        }
        if (!s.csrf().equals(exchange.getRequestHeaders().getFirst(CSRF_HEADER))) {
            Reply.json(exchange, 403, Map.of("error", "the request did not come from a console page (no CSRF value)"));
            return;
        }
        JsonNode body = parse(exchange.getRequestBody().readNBytes(64 * 1024));
        String target = body == null ? "" : body.path("target").asText("");
        if (target.isBlank()) {
            Reply.json(exchange, 400, Map.of("error", "which one? the body's \"target\" is empty"));
            return;
        }
        Upstream.Answer answer = api.delete(action.path().apply(target), s.token());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", answer.status());
        out.put("ok", answer.ok());
        out.put("message", answer.ok() ? name + " " + target + ": done" : answer.error());
        Reply.json(exchange, 200, out);
    }

    private static void staticFile(HttpExchange exchange, String name) throws IOException {
        InputStream in = STATIC.matcher(name).matches() ? Console.class.getClassLoader().getResourceAsStream("console/static/" + name) : null;
        if (in == null) {
            Reply.json(exchange, 404, Map.of("error", "no console file " + name));
            return;
        }
        try (in) {
            Reply.bytes(exchange, 200, name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8", in.readAllBytes());
        }
    }

    /** A browser sends Origin with every POST; one naming another site is a cross-site request. */
    private static boolean sameOrigin(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        return origin == null || (host != null && origin.equals("http://" + host));
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readNBytes(64 * 1024), StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return bytes.length == 0 ? null : Upstream.JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean pause() {
        try {
            Thread.sleep(TICK);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
