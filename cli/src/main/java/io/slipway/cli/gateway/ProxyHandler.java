package io.slipway.cli.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Forwards a request to the service that owns its path: method, path and query, headers and body go through
 * unchanged except for hop-by-hop headers; the response is streamed back as it arrives, so Server-Sent Events flow.
 */
final class ProxyHandler implements HttpHandler {

    /** Hop-by-hop headers (RFC 9110 7.6.1) and those the JDK client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "http2-settings");

    /** Set by the gateway itself, so that services build links (Location) to the gateway rather than to themselves. */
    private static final Set<String> FORWARDED = Set.of("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
            "x-forwarded-port");

    private final Routes routes;
    private final HttpClient client;

    ProxyHandler(Routes routes, HttpClient client) {
        this.routes = routes;
        this.client = client;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String unsafe = unnormalized(path);
            if (unsafe != null) {
                // routed by its prefix, such a path would reach another place once the service resolves it
                // (/api/v1/builds/../../q/metrics is build-svc's /q/metrics)
                Json.send(exchange, 400, Map.of("error", "the path " + unsafe + "; send it normalized"));
                return;
            }
            Optional<Routes.Route> route = routes.resolve(path);
            if (route.isEmpty()) {
                Json.send(exchange, 404, Map.of("error", "no service serves " + path));
                return;
            }
            long declared = declaredLength(exchange.getRequestHeaders());
            if (declared > route.get().maxBodyBytes()) {
                tooLarge(exchange, route.get(), "is " + declared + " bytes");
                return;
            }
            forward(exchange, route.get(), declared);
        }
    }

    private static void tooLarge(HttpExchange exchange, Routes.Route route, String what) throws IOException {
        // the rest of the body is not read: the connection closes after this answer
        exchange.getResponseHeaders().set("Connection", "close");
        Json.send(exchange, 413, Map.of("error", "the request body " + what + "; " + route.service() + " takes at most "
                + route.maxBodyBytes() + " bytes at " + route.prefix(), "service", route.service()));
    }

    private void forward(HttpExchange exchange, Routes.Route route, long declaredLength) throws IOException {
        URI requestUri = exchange.getRequestURI();
        String pathAndQuery = requestUri.getRawPath() + (requestUri.getRawQuery() == null ? "" : "?" + requestUri.getRawQuery());
        URI instance = route.upstreams().pick();
        URI target = Routes.Route.at(instance, pathAndQuery);
        CappedBody capped = new CappedBody(exchange.getRequestBody(), route.maxBodyBytes());
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .method(exchange.getRequestMethod(), body(exchange, declaredLength, capped));
        Set<String> dropped = droppedHeaders(exchange.getRequestHeaders());
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!dropped.contains(lower) && !FORWARDED.contains(lower)) {
                values.forEach(v -> request.header(name, v));
            }
        });
        forwardedHeaders(exchange).forEach(request::header);

        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            // nothing reached it: the client may send again, and the next request goes to another instance
            route.upstreams().refused(instance);
            Json.send(exchange, 503, Map.of("error", route.service() + " is not reachable at " + instance + " (" + e + ")",
                    "service", route.service()));
            return;
        } catch (IOException e) {
            if (capped.exceeded) {
                tooLarge(exchange, route, "goes past the limit");
                return;
            }
            Json.send(exchange, 502, Map.of("error", route.service() + " failed to answer " + exchange.getRequestMethod() + " "
                    + requestUri.getRawPath() + ": " + e, "service", route.service()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Json.send(exchange, 503, Map.of("error", "the gateway is shutting down", "service", route.service()));
            return;
        }
        relay(exchange, response);
    }

    /** Why {@code rawPath} is not a normalized path (dot segments, empty segments, encoded dots or slashes), or null. */
    static String unnormalized(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return "must start with /";
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || rawPath.contains("\\")) {
            return "holds an encoded slash or a backslash";
        }
        // dots may be percent-encoded too: %2e
        String decodedDots = lower.replace("%2e", ".");
        for (String segment : decodedDots.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "holds a '" + segment + "' segment";
            }
        }
        if (rawPath.contains("//")) {
            return "holds an empty segment (//)";
        }
        return null;
    }

    private static Map<String, String> forwardedHeaders(HttpExchange exchange) {
        Headers in = exchange.getRequestHeaders();
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        String host = Optional.ofNullable(in.getFirst("Host"))
                .orElse(exchange.getLocalAddress().getHostString() + ":" + exchange.getLocalAddress().getPort());
        // the gateway is the edge: what a client says it forwarded for is not believed, only its own address is
        return Map.of(
                "X-Forwarded-For", client,
                "X-Forwarded-Host", host,
                "X-Forwarded-Proto", "http");
    }

    /** The Content-Length a request declares, or -1 (none, or a chunked body whose size shows only while it is read). */
    private static long declaredLength(Headers headers) {
        String length = headers.getFirst("Content-Length");
        try {
            return length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP server frames the body and refuses such a request itself
        }
    }

    private static HttpRequest.BodyPublisher body(HttpExchange exchange, long length, CappedBody capped) {
        boolean chunked = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Transfer-Encoding"))
                .map(t -> t.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false);
        if (length >= 0) {
            return length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> capped), length);
        }
        return chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> capped) : HttpRequest.BodyPublishers.noBody();
    }

    /** A request body that fails once it goes past the route's limit, and remembers that it did. */
    private static final class CappedBody extends InputStream {
        private final InputStream in;
        private final long max;
        private long read;
        private volatile boolean exceeded;

        CappedBody(InputStream in, long max) {
            this.in = in;
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0 && (read += n) > max) {
                exceeded = true;
                throw new IOException("the request body goes past " + max + " bytes");
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static void relay(HttpExchange exchange, HttpResponse<InputStream> response) throws IOException {
        try (InputStream in = response.body()) {
            HttpHeaders upstream = response.headers();
            Set<String> dropped = droppedHeaders(upstream.map());
            Headers out = exchange.getResponseHeaders();
            upstream.map().forEach((name, values) -> {
                if (!dropped.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    out.put(name, List.copyOf(values));
                }
            });
            int status = response.statusCode();
            boolean noBody = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304 || status < 200;
            boolean eventStream = upstream.firstValue("Content-Type").map(t -> t.startsWith("text/event-stream")).orElse(false);
            long length = upstream.firstValueAsLong("Content-Length").orElse(-1);
            if (noBody) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            if (length == 0 && !eventStream) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            // a known length is kept; anything else (event streams included) goes out chunked as it arrives
            exchange.sendResponseHeaders(status, !eventStream && length > 0 ? length : 0);
            copy(in, exchange.getResponseBody(), eventStream);
        }
    }

    private static void copy(InputStream in, OutputStream out, boolean flushEachRead) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            if (flushEachRead) {
                out.flush();
            }
        }
        out.flush();
    }

    /** Hop-by-hop headers plus any that the message's own Connection header lists. */
    private static Set<String> droppedHeaders(Map<String, List<String>> headers) {
        Set<String> dropped = new TreeSet<>(NOT_FORWARDED);
        headers.forEach((name, values) -> {
            if ("connection".equalsIgnoreCase(name)) {
                values.forEach(v -> {
                    for (String token : v.split(",")) {
                        if (!token.isBlank()) {
                            dropped.add(token.trim().toLowerCase(Locale.ROOT));
                        }
                    }
                });
            }
        });
        return dropped;
    }
}
