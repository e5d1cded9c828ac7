package io.slipway.event.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import io.slipway.outbound.OutboundHttp;
import io.slipway.outbound.OutboundPolicy;
import io.slipway.retry.RetryAfter;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * HTTP for the receivers that speak it: one client per receiver, no redirects (a POST must not wander off with its
 * token), a timeout per request, every request's destination checked against the outbound policy, and every connection
 * made to an address that check admitted ({@link OutboundHttp}: a name that moves to a private address is refused, not
 * connected to), and the generic reading of an HTTP answer (2xx
 * delivered; 408, 425, 429 and 5xx retried, Retry-After honoured; any other status refused for good).
 */
public final class HttpSend implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final CloseableHttpClient client;
    private final OutboundPolicy outbound;
    private final String receiver;

    public HttpSend(Duration timeout, OutboundPolicy outbound, String receiver) {
        this.outbound = outbound;
        this.receiver = receiver;
        this.client = OutboundHttp.client(outbound, "receiver " + receiver, timeout);
    }

    /** An answer; the body is cut at 64 KiB. {@code retryAfter} is the Retry-After header, or null. */
    public record Response(int status, String body, String retryAfter) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** The JSON body, or null when it is not JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        /** The first 200 characters of the body, for reasons recorded with a dead letter. */
        public String excerpt() {
            String b = body == null ? "" : body.strip().replaceAll("\\s+", " ");
            return b.length() <= 200 ? b : b.substring(0, 200) + "...";
        }
    }

    /**
     * Sends one request. A destination the outbound policy refuses throws {@link OutboundPolicy.Refused} before anything
     * is sent. A request carries credentials when it has an Authorization header or a query string (DingTalk's
     * access_token, WeCom's corpsecret travel there): then https is required, except to this machine's loopback.
     */
    public Response send(String method, URI uri, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        outbound.check(uri, "receiver " + receiver, carriesCredentials(uri, headers));
        ClassicRequestBuilder request = ClassicRequestBuilder.create(method).setUri(uri);
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, null));
        }
        headers.forEach(request::setHeader);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return client.execute(request.build(), (ClassicHttpResponse r) -> {
            String text = r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8, 65536);
            Header retry = r.getFirstHeader("Retry-After");
            return new Response(r.getCode(), text, retry == null ? null : retry.getValue());
        });
    }

    @Override
    public void close() {
        client.close(org.apache.hc.core5.io.CloseMode.GRACEFUL);
    }

    /** Whether a request may carry credentials: an Authorization header, userinfo, or a query string (where tokens travel). */
    static boolean carriesCredentials(URI uri, Map<String, String> headers) {
        return uri.getRawQuery() != null || uri.getRawUserInfo() != null
                || headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Authorization"));
    }

    public Response postJson(URI uri, Object body) throws IOException, InterruptedException {
        return send("POST", uri, Map.of("Content-Type", "application/json; charset=utf-8"), JSON.writeValueAsBytes(body));
    }

    /** The generic meaning of an HTTP status. */
    public static Outcome outcome(Response r) {
        if (r.ok()) {
            return Outcome.DELIVERED;
        }
        int s = r.status();
        if (s == 408 || s == 425 || s == 429 || s >= 500) {
            return new Outcome.Retry("HTTP " + s + (r.excerpt().isEmpty() ? "" : ": " + r.excerpt()), retryAfter(r));
        }
        return Outcome.rejected("HTTP " + s + (r.excerpt().isEmpty() ? "" : ": " + r.excerpt()));
    }

    /** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(Response r) {
        return RetryAfter.parse(r.retryAfter());
    }

    public static byte[] json(Object value) throws IOException {
        return JSON.writeValueAsBytes(value);
    }
}
