package io.slipway.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Json;
import io.slipway.outbound.OutboundHttp;
import io.slipway.outbound.OutboundPolicy;
import io.slipway.retry.RetryAfter;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP side of one registry: sends a call with the right authorization (learning the registry's challenge once,
 * fetching and caching bearer tokens per scope), retries transient faults with backoff, follows redirects without
 * leaking credentials to other hosts, and turns every failure into a {@link RegistryException} that names the
 * registry, repository and step. Nothing here ever writes a password or token into a message.
 */
final class RegistryHttp implements AutoCloseable {

    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final RegistryConfig config;
    private final HttpClient client;
    private final URI base;
    private final TransferStats stats;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Object> tokenLocks = new ConcurrentHashMap<>();
    private volatile Challenge challenge;
    private volatile boolean probed;

    private record Token(String value, long expiresAtNanos) {
        boolean fresh() {
            return System.nanoTime() < expiresAtNanos;
        }
    }

    RegistryHttp(RegistryConfig config, TransferStats stats) throws IOException {
        this.config = config;
        this.stats = stats;
        this.base = URI.create((config.plainHttp() ? "http://" : "https://") + config.apiHost());
        if (config.plainHttp() && config.credentials() != null && !OutboundPolicy.onLoopback(base.getHost())) {
            // an insecure registry is read in the clear by anyone on the path: its password would be too
            throw new RegistryException(config.host(), null, "log in", 0, null, "credentials go over https only, and "
                    + config.host() + " is an insecure (plain HTTP) registry; only one on this machine's loopback may take them", false, null);
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout());
        if (!config.plainHttp()) {
            builder.sslContext(TlsContexts.forConfig(config));
        }
        this.client = builder.build();
    }

    RegistryConfig config() {
        return config;
    }

    URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    /** One request to send: what it is for (step, repository, token scopes) and which statuses are answers, not errors. */
    static final class Call {
        final String step;
        final String repository;
        final List<String> scopes;
        String method = "GET";
        URI uri;
        final Map<String, String> headers = new LinkedHashMap<>();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        Set<Integer> expected = Set.of(200);
        boolean retryable = true;
        boolean bounded = true;
        boolean followRedirects;

        Call(String step, String repository, List<String> scopes, URI uri) {
            this.step = step;
            this.repository = repository;
            this.scopes = scopes;
            this.uri = uri;
        }

        Call method(String m, HttpRequest.BodyPublisher b) {
            method = m;
            body = b;
            return this;
        }

        Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Call expect(Integer... statuses) {
            expected = Set.of(statuses);
            return this;
        }

        /** The body is streamed: no request timeout (a large upload or download takes as long as it takes). */
        Call unbounded() {
            bounded = false;
            return this;
        }

        /** Sending again could repeat a side effect whose outcome is unknown; the caller retries at a higher level. */
        Call once() {
            retryable = false;
            return this;
        }

        Call followRedirects() {
            followRedirects = true;
            return this;
        }
    }

    /** Sends the call; the response has one of the expected statuses and its body stream must be closed by the caller. */
    HttpResponse<InputStream> send(Call call) throws RegistryException {
        probeOnce();
        Progress progress = new Progress();
        while (true) {
            progress.attempt++;
            HttpResponse<InputStream> response = transmit(call, progress);
            if (response == null) {
                continue;
            }
            if (call.expected.contains(response.statusCode())) {
                return response;
            }
            if (followedRedirect(call, response, progress) || renewedAuthorization(call, response, progress)) {
                // neither is a failed attempt: the retry budget stays for faults
                progress.attempt--;
                continue;
            }
            pauseOrFail(call, response, progress.attempt);
        }
    }

    /** Where one {@link #send} stands: attempts so far, redirects followed, auth renewed once, credentials dropped. */
    private static final class Progress {
        int attempt;
        int redirects;
        boolean reauthenticated;
        boolean anonymous;
    }

    /** Sends one attempt; null after a connection failure worth another try, once the pause before it is over. */
    private HttpResponse<InputStream> transmit(Call call, Progress progress) throws RegistryException {
        HttpRequest request = request(call, progress.anonymous);
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            boolean tls = isTlsFailure(e);
            if (!tls && call.retryable && config.retry().allowsAnotherAfter(progress.attempt)) {
                RetryPolicy.pause(config.retry().delayAfter(progress.attempt, null));
                return null;
            }
            throw new RegistryException(config.host(), call.repository, call.step, 0, null, describe(e, tls), !tls, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException.Interrupted();
        }
    }

    private HttpRequest request(Call call, boolean anonymous) throws RegistryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.uri).method(call.method, call.body);
        if (call.bounded) {
            request.timeout(config.timeout());
        }
        call.headers.forEach(request::header);
        String authorization = anonymous ? null : authorization(call);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    /** True when the call now points at the redirect's target (the response is closed). */
    private boolean followedRedirect(Call call, HttpResponse<InputStream> response, Progress progress) {
        if (!call.followRedirects || !isRedirect(response.statusCode()) || progress.redirects >= MAX_REDIRECTS) {
            return false;
        }
        String location = response.headers().firstValue("Location").orElse(null);
        close(response);
        if (location == null) {
            return false;
        }
        URI next = call.uri.resolve(location);
        // a blob store behind a redirect (S3, a CDN) must never see the registry's credentials
        progress.anonymous |= !sameOrigin(next, base);
        call.uri = next;
        progress.redirects++;
        return true;
    }

    /** After a first 401: true when the registry's challenge gave new authorization to send again with, else throws. */
    private boolean renewedAuthorization(Call call, HttpResponse<InputStream> response, Progress progress)
            throws RegistryException {
        int status = response.statusCode();
        if (status != 401 || progress.reauthenticated || progress.anonymous) {
            return false;
        }
        progress.reauthenticated = true;
        String www = response.headers().firstValue("WWW-Authenticate").orElse(null);
        ErrorBody error = readError(response);
        if (challenged(www, call)) {
            return true;
        }
        throw unauthorized(call, status, error);
    }

    /** A status that is no answer: returns after the pause when the call may be sent again, else throws the error. */
    private void pauseOrFail(Call call, HttpResponse<InputStream> response, int attempt) throws RegistryException {
        int status = response.statusCode();
        ErrorBody error = readError(response);
        if (status == 401 || status == 403) {
            throw unauthorized(call, status, error);
        }
        boolean transientStatus = status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
        if (transientStatus && call.retryable && config.retry().allowsAnotherAfter(attempt)) {
            RetryPolicy.pause(config.retry().delayAfter(attempt, retryAfter(response)));
            return;
        }
        throw new RegistryException(config.host(), call.repository, call.step, status, error.code, error.message,
                transientStatus, null);
    }

    /** Sends the call and returns the whole (small) response body. */
    byte[] sendForBytes(Call call, int limit) throws RegistryException {
        HttpResponse<InputStream> response = send(call);
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new RegistryException(config.host(), call.repository, call.step, response.statusCode(), null,
                        "response larger than " + limit + " bytes", false, null);
            }
            return bytes;
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw new RegistryException(config.host(), call.repository, call.step, response.statusCode(), null,
                    "reading the response failed: " + e.getMessage(), true, e);
        }
    }

    /** Sends the call and discards the body; returns the response for its status and headers. */
    HttpResponse<InputStream> sendAndDiscard(Call call) throws RegistryException {
        HttpResponse<InputStream> response = send(call);
        close(response);
        return response;
    }

    static void close(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the connection is dropped instead of reused; nothing else depends on it
        }
    }

    /** Learns the registry's auth scheme from an unauthenticated {@code /v2/} once, so requests carry auth from the start. */
    private void probeOnce() {
        if (probed) {
            return;
        }
        synchronized (this) {
            if (probed) {
                return;
            }
            try {
                HttpRequest ping = HttpRequest.newBuilder(uri("/v2/")).timeout(config.timeout()).GET().build();
                HttpResponse<InputStream> response = client.send(ping, HttpResponse.BodyHandlers.ofInputStream());
                close(response);
                if (response.statusCode() == 401) {
                    pickChallenge(response.headers().firstValue("WWW-Authenticate").orElse(null));
                }
                probed = true;
            } catch (IOException e) {
                // the real request reports the failure, with its own step and retries
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Challenge pickChallenge(String header) {
        Challenge bearer = null;
        Challenge basic = null;
        for (Challenge c : Challenge.parse(header)) {
            if (c.isBearer() && bearer == null && c.param("realm") != null) {
                bearer = c;
            } else if (c.isBasic() && basic == null) {
                basic = c;
            }
        }
        Challenge chosen = bearer != null ? bearer : basic;
        if (chosen != null) {
            challenge = chosen;
        }
        return chosen;
    }

    private String authorization(Call call) throws RegistryException {
        Challenge c = challenge;
        if (c == null) {
            return null;
        }
        if (c.isBasic()) {
            return config.credentials() == null ? null : config.credentials().basicAuthorization();
        }
        String key = String.join(" ", new TreeSet<>(call.scopes));
        Token token = tokens.get(key);
        if (token == null || !token.fresh()) {
            // one fetch per scope, however many transfers start at once
            synchronized (tokenLocks.computeIfAbsent(key, k -> new Object())) {
                token = tokens.get(key);
                if (token == null || !token.fresh()) {
                    token = fetchToken(c, call.scopes, call);
                    tokens.put(key, token);
                }
            }
        }
        return "Bearer " + token.value();
    }

    /** After a 401: true when sending again with new authorization can succeed. */
    private boolean challenged(String header, Call call) throws RegistryException {
        Challenge before = challenge;
        Challenge c = pickChallenge(header);
        if (c == null) {
            return false;
        }
        if (c.isBasic()) {
            return config.credentials() != null && (before == null || !before.isBasic());
        }
        Set<String> scopes = new LinkedHashSet<>(call.scopes);
        String asked = c.param("scope");
        if (asked != null && !asked.isBlank()) {
            scopes.addAll(List.of(asked.trim().split(" ")));
        }
        tokens.put(String.join(" ", new TreeSet<>(call.scopes)), fetchToken(c, new ArrayList<>(scopes), call));
        return true;
    }

    /**
     * The distribution token flow: GET realm?service=..&scope=.. with basic credentials when we have them. A realm on
     * another host than the registry's is checked against the outbound policy (a registry must not make this service
     * call its metadata endpoint or an internal address with the user's password).
     */
    private Token fetchToken(Challenge c, List<String> scopes, Call forCall) throws RegistryException {
        Realm realm = realm(c, scopes, forCall);
        checkRealm(realm, forCall);
        String step = "get a token for " + (scopes.isEmpty() ? "the registry" : String.join(" ", scopes)) + " (" + forCall.step + ")";
        int attempt = 0;
        while (true) {
            attempt++;
            Answer answer = askRealm(realm, forCall, step, attempt);
            if (answer == null) {
                continue;
            }
            if (answer.status() == 200) {
                return token(answer, forCall, step);
            }
            pauseOrRefuse(answer, forCall, step, attempt);
        }
    }

    /** Where a token is asked for: the realm with service and scopes, whether it is on another host, its name in errors. */
    private record Realm(URI uri, boolean elsewhere, String name) {
    }

    private Realm realm(Challenge c, List<String> scopes, Call forCall) throws RegistryException {
        String realm = c.param("realm");
        StringBuilder query = new StringBuilder();
        if (c.param("service") != null) {
            query.append("service=").append(URLEncoder.encode(c.param("service"), StandardCharsets.UTF_8));
        }
        for (String scope : scopes) {
            query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        URI uri;
        try {
            uri = URI.create(realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
        } catch (IllegalArgumentException e) {
            throw tokenRefused(forCall, "the registry named an unusable token realm", e);
        }
        boolean elsewhere = uri.getHost() == null || !uri.getHost().equalsIgnoreCase(base.getHost());
        return new Realm(uri, elsewhere, "the token realm " + uri.getScheme() + "://" + uri.getHost() + " of " + config.host());
    }

    /** Refuses a realm the credentials must not go to, before anything is sent there. */
    private void checkRealm(Realm realm, Call forCall) throws RegistryException {
        boolean sendCredentials = config.credentials() != null;
        if (realm.elsewhere()) {
            // a realm elsewhere is an address the registry chose, not the user: it must be one this service may reach,
            // and it gets the credentials over https only
            try {
                config.outbound().check(realm.uri(), realm.name(), sendCredentials);
            } catch (OutboundPolicy.Refused e) {
                throw tokenRefused(forCall, e.getMessage(), null);
            }
        } else if (sendCredentials && !"https".equalsIgnoreCase(realm.uri().getScheme()) && !config.plainHttp()) {
            throw tokenRefused(forCall,
                    "the registry's token realm is plain http while the registry is https: its credentials are not sent there", null);
        }
    }

    private RegistryException tokenRefused(Call forCall, String message, Throwable cause) {
        return new RegistryException(config.host(), forCall.repository, forCall.step, 401, "UNAUTHORIZED", message, false, cause);
    }

    /** One GET of the realm; null after a connection failure worth another try, once the pause before it is over. */
    private Answer askRealm(Realm realm, Call forCall, String step, int attempt) throws RegistryException {
        try {
            return realm.elsewhere() ? askElsewhere(realm.uri(), realm.name()) : ask(realm.uri());
        } catch (OutboundPolicy.Refused e) {
            throw tokenRefused(forCall, e.getMessage(), null);
        } catch (IOException e) {
            boolean tls = isTlsFailure(e);
            if (!tls && config.retry().allowsAnotherAfter(attempt)) {
                RetryPolicy.pause(config.retry().delayAfter(attempt, null));
                return null;
            }
            throw new RegistryException(config.host(), forCall.repository, step, 0, null,
                    "token endpoint " + realm.uri().getHost() + ": " + describe(e, tls), !tls, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException.Interrupted();
        }
    }

    /** The token in a 200 answer, to be renewed a little before it expires. */
    private Token token(Answer answer, Call forCall, String step) throws RegistryException {
        JsonNode body;
        try {
            body = Json.mapper().readTree(answer.body());
        } catch (IOException e) {
            throw new RegistryException(config.host(), forCall.repository, step, answer.status(), null,
                    "the token endpoint answered with something that is not JSON", true, null);
        }
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryException(config.host(), forCall.repository, step, answer.status(), null,
                    "the token endpoint answered without a token", false, null);
        }
        // the spec's default lifetime is 60 s; renew a little early
        long seconds = Math.max(10, body.path("expires_in").asLong(60)) - 5;
        stats.tokenFetched();
        return new Token(token, System.nanoTime() + Duration.ofSeconds(seconds).toNanos());
    }

    /** An answer other than 200: returns after the pause when asking again may help, else throws the refusal. */
    private void pauseOrRefuse(Answer answer, Call forCall, String step, int attempt) throws RegistryException {
        int status = answer.status();
        ErrorBody error = errorBody(answer.body());
        boolean transientStatus = status == 429 || status >= 500;
        if (transientStatus && config.retry().allowsAnotherAfter(attempt)) {
            RetryPolicy.pause(config.retry().delayAfter(attempt, RetryAfter.parse(answer.retryAfter())));
            return;
        }
        if (status == 401 || status == 403) {
            throw new RegistryException(config.host(), forCall.repository, step, status, "UNAUTHORIZED",
                    "the token endpoint refused " + who(), false, null);
        }
        throw new RegistryException(config.host(), forCall.repository, step, status, error.code, error.message,
                transientStatus, null);
    }

    /** A token endpoint's answer: its status, the first bytes of its body, its Retry-After. */
    private record Answer(int status, byte[] body, String retryAfter) {
    }

    /** GET {@code uri} on the registry's own host, with its client. */
    private Answer ask(URI uri) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(config.timeout()).GET();
        if (config.credentials() != null) {
            request.header("Authorization", config.credentials().basicAuthorization());
        }
        HttpResponse<InputStream> r = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            return new Answer(r.statusCode(), in.readNBytes(MAX_ERROR_BODY), r.headers().firstValue("Retry-After").orElse(null));
        }
    }

    /**
     * GET {@code uri} on a host the registry named: connected to only at an address the outbound policy admits
     * ({@link OutboundHttp}), so the realm's name cannot move to an internal address between its check and the call.
     */
    private Answer askElsewhere(URI uri, String what) throws IOException {
        try (CloseableHttpClient http = OutboundHttp.client(config.outbound(), what, config.timeout(),
                "https".equalsIgnoreCase(uri.getScheme()) ? TlsContexts.forConfig(config) : null)) {
            ClassicRequestBuilder request = ClassicRequestBuilder.get(uri);
            if (config.credentials() != null) {
                request.setHeader("Authorization", config.credentials().basicAuthorization());
            }
            return http.execute(request.build(), (ClassicHttpResponse r) -> {
                Header retry = r.getFirstHeader("Retry-After");
                try (InputStream in = r.getEntity() == null ? InputStream.nullInputStream() : r.getEntity().getContent()) {
                    return new Answer(r.getCode(), in.readNBytes(MAX_ERROR_BODY), retry == null ? null : retry.getValue());
                }
            });
        }
    }

    private RegistryException unauthorized(Call call, int status, ErrorBody error) {
        String detail = (error.message == null ? "" : error.message + "; ") + "tried " + who();
        String code = error.code != null ? error.code : status == 401 ? "UNAUTHORIZED" : "DENIED";
        return new RegistryException(config.host(), call.repository, call.step, status, code, detail, false, null);
    }

    private String who() {
        return config.credentials() == null ? "anonymously (no credentials for " + config.host() + ")"
                : "as user " + config.credentials().username();
    }

    private record ErrorBody(String code, String message) {
    }

    /** The distribution error body ({@code {"errors":[{"code":..,"message":..}]}}) or a short excerpt of whatever came. */
    private static ErrorBody readError(HttpResponse<InputStream> response) {
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new ErrorBody(null, null);
        }
        return errorBody(bytes);
    }

    /** The distribution error in the first bytes of an answer, or an excerpt of whatever they are. */
    private static ErrorBody errorBody(byte[] bytes) {
        if (bytes.length == 0) {
            return new ErrorBody(null, null);
        }
        try {
            JsonNode first = Json.mapper().readTree(bytes).path("errors").path(0);
            if (first.isObject()) {
                String message = first.path("message").asText(null);
                JsonNode detail = first.get("detail");
                if (detail != null && !detail.isNull() && !detail.isMissingNode()) {
                    message = (message == null ? "" : message + " ") + "(" + detail + ")";
                }
                return new ErrorBody(first.path("code").asText(null), message);
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through to the text excerpt
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return new ErrorBody(null, text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null));
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private String describe(IOException e, boolean tls) {
        if (tls) {
            return "TLS failed (" + rootMessage(e) + "); trust the registry's CA with a CA file, or use plain HTTP / skip "
                    + "verification only for a local test registry";
        }
        if (e instanceof ConnectException) {
            return "cannot connect to " + base.getAuthority() + " (" + rootMessage(e) + ")";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out after " + config.timeout().toSeconds() + " s";
        }
        return e.getClass().getSimpleName() + ": " + rootMessage(e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
