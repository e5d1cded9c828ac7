package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The simulated API server's mutating admission of new pods: the {@code admissionregistration.k8s.io/v1}
 * MutatingWebhookConfigurations stored in the cluster are called as the real API server's mutating webhook plugin
 * calls them (k8s.io/apiserver/pkg/admission/plugin/webhook/mutating): configurations in name order, webhooks in
 * their order, those whose {@code rules}, {@code namespaceSelector} and {@code objectSelector} match; an
 * {@code admission.k8s.io/v1} AdmissionReview POSTed over HTTPS to {@code clientConfig.url} (with
 * {@code ?timeout=<timeoutSeconds>s}), trusting exactly the CAs of {@code clientConfig.caBundle} (the JDK's trust
 * store without one), the host name verified; a denial refuses the create with the webhook's status; a
 * {@code JSONPatch} is applied (RFC 6902); a webhook that cannot be called or answers badly fails the create
 * ({@code failurePolicy: Fail}, the default) or is skipped ({@code Ignore}).
 *
 * <p>Not simulated: UPDATE, DELETE and CONNECT admission, subresources, validating webhooks, webhooks named by
 * {@code clientConfig.service} (they fail to be called: set {@code url}), {@code matchConditions} (treated as
 * matching), {@code matchPolicy} (only the pods resource itself, core/v1, matches), {@code reinvocationPolicy} (no
 * webhook is called twice), and {@code sideEffects}/dry runs.
 *
 * <p>A webhook is called on the API server's request thread: while it answers, the simulated API server serves
 * nothing else, and a webhook that calls this API server while admitting a pod waits until its timeout.
 */
final class MutatingWebhookAdmission implements SimulatedApiServer.ChangeObserver {
    static final String GROUP = "admissionregistration.k8s.io";
    static final String PLURAL = "mutatingwebhookconfigurations";
    private static final EnumSet<CompatibilityFlags> STRICT = EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

    private final SimulatedApiServer api;
    private final Map<String, ObjectNode> configurations = new TreeMap<>();
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    MutatingWebhookAdmission(SimulatedApiServer api) {
        this.api = api;
    }

    @Override
    public void changed(SimulatedApiServer.ObjectKey key, ObjectNode object) {
        if (GROUP.equals(key.group()) && PLURAL.equals(key.plural()) && "v1".equals(key.version())) {
            synchronized (configurations) {
                if (object == null) {
                    configurations.remove(key.name());
                } else {
                    configurations.put(key.name(), object);
                }
            }
        }
    }

    /** The pod after every matching webhook, or an {@link ApiError} refusing its creation. */
    ObjectNode admit(SimulatedApiServer.ResourcePath path, ObjectNode pod) {
        List<ObjectNode> ordered;
        synchronized (configurations) {
            if (configurations.isEmpty()) {
                return pod;
            }
            ordered = new ArrayList<>(configurations.values());
        }
        ((ObjectNode) pod.get("metadata")).put("namespace", path.namespace());
        JsonNode namespaceLabels = namespaceLabels(path.namespace());
        for (ObjectNode configuration : ordered) {
            for (JsonNode webhook : configuration.path("webhooks")) {
                if (matchesCreateOfPods(webhook)
                        && LabelSelectors.matches(webhook.get("namespaceSelector"), namespaceLabels)
                        && LabelSelectors.matches(webhook.get("objectSelector"), pod.path("metadata").path("labels"))) {
                    pod = call(webhook, path, pod);
                }
            }
        }
        return pod;
    }

    /** The namespace's labels, with the {@code kubernetes.io/metadata.name} label every namespace carries. */
    private JsonNode namespaceLabels(String namespace) {
        ObjectNode stored = api.get(new SimulatedApiServer.ObjectKey("", "v1", "namespaces", null, namespace));
        JsonNode labels = stored == null ? null : stored.path("metadata").get("labels");
        ObjectNode result = labels instanceof ObjectNode o ? o.deepCopy() : Serialization.jsonMapper().createObjectNode();
        return result.put("kubernetes.io/metadata.name", namespace);
    }

    private static boolean matchesCreateOfPods(JsonNode webhook) {
        for (JsonNode rule : webhook.path("rules")) {
            String scope = rule.path("scope").asText("*");
            if (anyOf(rule.path("operations"), "CREATE", "*") && anyOf(rule.path("apiGroups"), "", "*")
                    && anyOf(rule.path("apiVersions"), "v1", "*") && anyOf(rule.path("resources"), "pods", "*", "*/*")
                    && (scope.equals("*") || scope.equals("Namespaced"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyOf(JsonNode values, String... accepted) {
        for (String a : accepted) {
            if (LabelSelectors.contains(values, a)) {
                return true;
            }
        }
        return false;
    }

    private ObjectNode call(JsonNode webhook, SimulatedApiServer.ResourcePath path, ObjectNode pod) {
        String name = webhook.path("name").asText();
        JsonNode response;
        String uid = UUID.randomUUID().toString();
        try {
            response = post(webhook, review(uid, path, pod));
            if (!uid.equals(response.path("uid").asText())) {
                throw new CallFailure("received invalid webhook response: expected response.uid=\"" + uid + "\", got \""
                        + response.path("uid").asText() + "\"");
            }
        } catch (CallFailure e) {
            if ("Ignore".equals(webhook.path("failurePolicy").asText())) {
                return pod;
            }
            throw ApiError.internal("failed calling webhook \"" + name + "\": " + e.getMessage());
        }
        if (!response.path("allowed").asBoolean(false)) {
            throw denied(name, response.get("status"));
        }
        if (!response.hasNonNull("patch")) {
            return pod;
        }
        if (!"JSONPatch".equals(response.path("patchType").asText())) {
            throw ApiError.internal("unsupported patch type \"" + response.path("patchType").asText() + "\" from webhook \"" + name + "\"");
        }
        try {
            JsonNode patch = Serialization.jsonMapper().readTree(Base64.getDecoder().decode(response.get("patch").asText()));
            JsonNode patched = JsonPatch.apply(patch, pod, STRICT);
            if (!(patched instanceof ObjectNode object) || !(object.get("metadata") instanceof ObjectNode)) {
                throw ApiError.internal("the patch of webhook \"" + name + "\" did not leave a pod");
            }
            return object;
        } catch (IOException | IllegalArgumentException | JsonPatchException e) {
            throw ApiError.internal(e.getMessage());
        }
    }

    /** ToStatusErr: the webhook's status, at least 400, its message prefixed with who denied the request. */
    private static ApiError denied(String name, JsonNode result) {
        ObjectNode status = result instanceof ObjectNode o ? o.deepCopy() : Serialization.jsonMapper().createObjectNode();
        String deniedBy = "admission webhook \"" + name + "\" denied the request";
        String message = status.path("message").asText("");
        String reason = status.path("reason").asText("");
        status.put("kind", "Status").put("apiVersion", "v1");
        if (!status.has("metadata")) {
            status.putObject("metadata");
        }
        if (status.path("code").asInt() < 400) {
            status.put("code", 400);
        }
        status.put("status", "Failure");
        status.put("message", !message.isEmpty() ? deniedBy + ": " + message : !reason.isEmpty() ? deniedBy + ": " + reason
                : deniedBy + " without explanation");
        return ApiError.fromStatus(status);
    }

    private static ObjectNode review(String uid, SimulatedApiServer.ResourcePath path, ObjectNode pod) {
        ObjectNode review = Serialization.jsonMapper().createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.set("requestKind", request.get("kind").deepCopy());
        request.set("requestResource", request.get("resource").deepCopy());
        String name = pod.path("metadata").path("name").asText("");
        if (!name.isEmpty()) {
            request.put("name", name); // a pod named by generateName has none yet, as in the real API server
        }
        request.put("namespace", path.namespace()).put("operation", "CREATE");
        ObjectNode user = request.putObject("userInfo").put("username", "system:admin");
        user.putArray("groups").add("system:masters").add("system:authenticated");
        request.set("object", pod);
        request.putNull("oldObject");
        request.put("dryRun", false);
        request.putObject("options").put("apiVersion", "meta.k8s.io/v1").put("kind", "CreateOptions");
        return review;
    }

    private JsonNode post(JsonNode webhook, ObjectNode review) throws CallFailure {
        JsonNode clientConfig = webhook.path("clientConfig");
        if (!LabelSelectors.contains(webhook.path("admissionReviewVersions"), "v1")) {
            throw new CallFailure("webhook does not accept known AdmissionReview versions (the simulation speaks v1)");
        }
        if (!clientConfig.hasNonNull("url")) {
            throw new CallFailure("clientConfig.service is not simulated: the simulated API server calls clientConfig.url only");
        }
        long timeout = webhook.path("timeoutSeconds").asLong(10);
        String url = clientConfig.get("url").asText();
        URI uri;
        try {
            uri = URI.create(url + (url.contains("?") ? "&" : "?") + "timeout=" + timeout + "s");
        } catch (IllegalArgumentException e) {
            throw new CallFailure("invalid url \"" + url + "\": " + e.getMessage());
        }
        if (!"https".equals(uri.getScheme())) {
            throw new CallFailure("webhook url must use the https scheme: " + url);
        }
        HttpResponse<String> answer;
        try {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(timeout))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(SimulatedApiServer.writeJson(review))).build();
            answer = client(clientConfig.path("caBundle").asText("")).send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CallFailure("failed to call webhook: Post \"" + uri + "\": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailure("failed to call webhook: Post \"" + uri + "\": interrupted");
        }
        if (answer.statusCode() != 200) {
            throw new CallFailure("failed to call webhook: the server responded with status " + answer.statusCode() + ": " + answer.body());
        }
        JsonNode body;
        try {
            body = Serialization.jsonMapper().readTree(answer.body());
        } catch (IOException e) {
            throw new CallFailure("received invalid webhook response: " + e.getMessage());
        }
        if (!"admission.k8s.io/v1".equals(body.path("apiVersion").asText()) || !"AdmissionReview".equals(body.path("kind").asText())) {
            throw new CallFailure("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
                    + body.path("apiVersion").asText() + ", Kind=" + body.path("kind").asText());
        }
        if (!body.path("response").isObject()) {
            throw new CallFailure("webhook response was absent");
        }
        return body.get("response");
    }

    /** One client per CA bundle: it trusts exactly those CAs (or, without a bundle, the JDK's trust store). */
    private HttpClient client(String caBundle) throws CallFailure {
        HttpClient cached = clients.get(caBundle);
        if (cached != null) {
            return cached;
        }
        SSLContext tls;
        try {
            if (caBundle.isEmpty()) {
                tls = SSLContext.getDefault();
            } else {
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                int i = 0;
                for (Certificate ca : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(Base64.getDecoder().decode(caBundle)))) {
                    trusted.setCertificateEntry("ca-" + i++, ca);
                }
                if (i == 0) {
                    throw new CallFailure("clientConfig.caBundle holds no certificate");
                }
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
                tls = SSLContext.getInstance("TLS");
                tls.init(null, trust.getTrustManagers(), null);
            }
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new CallFailure("clientConfig.caBundle is not a base64 PEM bundle: " + e.getMessage());
        }
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        HttpClient raced = clients.putIfAbsent(caBundle, client);
        if (raced != null) {
            client.close();
            return raced;
        }
        return client;
    }

    void close() {
        clients.values().forEach(HttpClient::close);
        clients.clear();
    }

    /** A webhook that could not be called or answered badly: subject to its failurePolicy. */
    private static final class CallFailure extends Exception {
        CallFailure(String message) {
            super(message);
        }
    }
}
