package io.slipway.chaos;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The platform as its REST users reach it: through the gateway, with a bearer token. {@link #call} sends a request
 * again, as a client with a retry policy does, while the answer says the service is not there (502, 503, 504) or the
 * connection broke; any other answer is returned, so the caller judges it.
 */
final class GatewayClient {
    static final ObjectMapper JSON = new ObjectMapper();
    /** What a retrying client treats as "not there now": a restarting service, a gateway without its backend. */
    private static final Set<Integer> UNAVAILABLE = Set.of(502, 503, 504);

    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String operator;
    private final String viewer;

    GatewayClient(URI base, String operator, String viewer) {
        this.base = base;
        this.operator = operator;
        this.viewer = viewer;
    }

    /** One attempt; an I/O failure is an exception. */
    Answer send(String method, String path, String contentType, byte[] body, Map<String, String> headers, boolean write)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + (write ? operator : viewer));
        if (contentType != null) {
            r.header("Content-Type", contentType);
        }
        headers.forEach(r::header);
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> answer = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(answer.statusCode(), answer.body());
    }

    /** Sends until the platform answers with something other than "unavailable", or {@code within} is used up. */
    Answer call(String method, String path, String contentType, byte[] body, Map<String, String> headers, boolean write, Duration within) {
        AtomicReference<Answer> answer = new AtomicReference<>();
        AtomicReference<String> last = new AtomicReference<>("nothing sent");
        try {
            await().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
                try {
                    Answer a = send(method, path, contentType, body, headers, write);
                    if (!UNAVAILABLE.contains(a.status())) {
                        answer.set(a);
                        return true;
                    }
                    last.set(a.status() + " " + a.body());
                } catch (IOException e) {
                    last.set(e.toString());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(method + " " + path + " still unavailable after " + within.toSeconds() + " s: " + last.get());
        }
        return answer.get();
    }

    /** A read as a viewer, once; null when the platform cannot answer now. */
    JsonNode read(String path) {
        try {
            Answer a = send("GET", path, null, null, Map.of(), false);
            return a.status() == 200 ? a.json() : a.status() == 404 ? JSON.nullNode() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
