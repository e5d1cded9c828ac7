package io.slipway.testkit.kube;

import static io.slipway.testkit.kube.KubeHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.slipway.testkit.kube.KubeHttp.Answer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pods are admitted by the MutatingWebhookConfigurations stored in the cluster: an AdmissionReview over HTTPS to a
 * webhook the test serves (a self-signed certificate made with keytool), trusting only the configured CA bundle.
 */
class MutatingWebhookTest {
    private static final String PODS = "/api/v1/namespaces/team-a/pods";
    private static final String CONFIGS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    private static final String PASSWORD = "simulated";

    @TempDir
    static Path keys;
    private static String caBundle;
    private static String otherCaBundle;

    private SimulatedCluster cluster;
    private KubeHttp http;
    private HttpsServer webhook;
    private final List<JsonNode> reviews = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, ObjectNode> answer;

    @BeforeAll
    static void certificates() throws Exception {
        caBundle = selfSigned("webhook");
        otherCaBundle = selfSigned("stranger");
    }

    /** A self-signed EC certificate for 127.0.0.1 in {@code <alias>.p12}; returns its PEM, base64-encoded (a caBundle). */
    private static String selfSigned(String alias) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path store = keys.resolve(alias + ".p12");
        run(keytool, "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path pem = keys.resolve(alias + ".pem");
        run(keytool, "-exportcert", "-rfc", "-alias", alias, "-keystore", store.toString(), "-storepass", PASSWORD, "-file", pem.toString());
        return Base64.getEncoder().encodeToString(Files.readAllBytes(pem));
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s", output).isZero();
    }

    @BeforeEach
    void start() throws Exception {
        cluster = SimulatedCluster.start();
        http = new KubeHttp(cluster);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.resolve("webhook.p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        webhook = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.setHttpsConfigurator(new HttpsConfigurator(tls));
        webhook.createContext("/mutate", exchange -> {
            JsonNode review = json(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            reviews.add(review);
            ObjectNode response = answer.apply(review.path("request"));
            response.put("uid", review.path("request").path("uid").asText());
            ObjectNode body = json("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}");
            body.set("response", response);
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        webhook.start();
    }

    @AfterEach
    void stop() {
        webhook.stop(0);
        http.close();
        cluster.close();
    }

    private String url() {
        return "https://127.0.0.1:" + webhook.getAddress().getPort() + "/mutate";
    }

    private void configure(String name, String failurePolicy, String url, String bundle, String extra) {
        Answer created = http.post(CONFIGS, json("""
                {"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration","metadata":{"name":"%s"},
                 "webhooks":[{"name":"%s.example.com","admissionReviewVersions":["v1"],"sideEffects":"None","failurePolicy":"%s",
                   "timeoutSeconds":5,"clientConfig":{"url":"%s","caBundle":"%s"},
                   "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}]%s}]}"""
                .formatted(name, name, failurePolicy, url, bundle, extra == null ? "" : "," + extra)));
        assertThat(created.code()).as("%s", created.body()).isEqualTo(201);
    }

    private static ObjectNode patch(String jsonPatch) {
        ObjectNode response = json("{\"allowed\":true,\"patchType\":\"JSONPatch\"}");
        return response.put("patch", Base64.getEncoder().encodeToString(jsonPatch.getBytes(StandardCharsets.UTF_8)));
    }

    private Answer createPod(String name, String labels) {
        return http.post(PODS, json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels
                + ",\"annotations\":{\"drop\":\"me\",\"keep\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]}}"));
    }

    @Test
    void theWebhooksJsonPatchIsAppliedBeforeThePodIsStored() {
        configure("inject", "Fail", url(), caBundle, null);
        answer = request -> patch("""
                [{"op":"test","path":"/spec/containers/0/name","value":"app"},
                 {"op":"add","path":"/metadata/labels/sidecar.example.com~1injected","value":"true"},
                 {"op":"add","path":"/spec/containers/-","value":{"name":"proxy","image":"registry.local/proxy:2"}},
                 {"op":"replace","path":"/spec/containers/0/image","value":"registry.local/app:1-patched"},
                 {"op":"copy","from":"/metadata/annotations/keep","path":"/metadata/annotations/copied"},
                 {"op":"move","from":"/metadata/annotations/drop","path":"/metadata/annotations/moved"},
                 {"op":"remove","path":"/metadata/annotations/keep"}]""");

        Answer created = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(created.code()).as("%s", created.body()).isEqualTo(201);
        JsonNode pod = http.get(PODS + "/web-0").body();
        assertThat(pod.path("metadata").path("labels").path("sidecar.example.com/injected").asText()).isEqualTo("true");
        assertThat(pod.path("metadata").path("annotations")).isEqualTo(json("{\"moved\":\"me\",\"copied\":\"x\"}"));
        assertThat(pod.path("spec").path("containers").get(0).path("image").asText()).isEqualTo("registry.local/app:1-patched");
        assertThat(pod.path("spec").path("containers").get(1).path("name").asText()).isEqualTo("proxy");
        assertThat(pod.path("spec").path("containers").get(1).path("imagePullPolicy").asText()).as("defaulted after mutation")
                .isEqualTo("IfNotPresent");

        JsonNode request = reviews.get(0).path("request");
        assertThat(reviews.get(0).path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(request.path("operation").asText()).isEqualTo("CREATE");
        assertThat(request.path("kind").toString()).isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");
        assertThat(request.path("resource").path("resource").asText()).isEqualTo("pods");
        assertThat(request.path("namespace").asText()).isEqualTo("team-a");
        assertThat(request.path("name").asText()).isEqualTo("web-0");
        assertThat(request.path("dryRun").asBoolean(true)).isFalse();
        assertThat(request.path("uid").asText()).isNotEmpty();
        assertThat(request.path("userInfo").path("username").asText()).isNotEmpty();
        assertThat(request.path("object").path("spec").path("dnsPolicy").asText()).as("the object as it would be stored").isEqualTo("ClusterFirst");
    }

    @Test
    void aDenialRefusesTheCreateWithTheWebhooksStatus() {
        configure("deny", "Fail", url(), caBundle, null);
        answer = request -> json("{\"allowed\":false,\"status\":{\"code\":403,\"reason\":\"Forbidden\",\"message\":\"no sidecar, no pod\"}}");
        Answer refused = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(refused.code()).isEqualTo(403);
        assertThat(refused.message()).isEqualTo("admission webhook \"deny.example.com\" denied the request: no sidecar, no pod");
        assertThat(http.get(PODS + "/web-0").code()).isEqualTo(404);
    }

    @Test
    void aWebhookThatCannotBeCalledFailsTheCreateUnlessItsFailurePolicyIsIgnore() {
        answer = request -> patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/patched\",\"value\":\"yes\"}]");
        configure("strict", "Fail", "https://127.0.0.1:1/mutate", caBundle, null);
        Answer refused = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(refused.code()).isEqualTo(500);
        assertThat(refused.reason()).isEqualTo("InternalError");
        assertThat(refused.message()).startsWith("Internal error occurred: failed calling webhook \"strict.example.com\": ");

        http.delete(CONFIGS + "/strict", null);
        configure("lenient", "Ignore", "https://127.0.0.1:1/mutate", caBundle, null);
        Answer created = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.body().path("metadata").path("labels").has("patched")).isFalse();
    }

    @Test
    void onlyTheConfiguredCaIsTrusted() {
        answer = request -> patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/patched\",\"value\":\"yes\"}]");
        configure("stranger", "Fail", url(), otherCaBundle, null);
        Answer refused = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(refused.code()).isEqualTo(500);
        assertThat(refused.message()).contains("failed calling webhook \"stranger.example.com\"");
        assertThat(reviews).as("the TLS handshake failed before any review was sent").isEmpty();
    }

    @Test
    void selectorsAndRulesDecideWhichPodsAWebhookSees() {
        answer = request -> patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/patched\",\"value\":\"yes\"}]");
        configure("selective", "Fail", url(), caBundle, """
                "objectSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},
                "namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"team-a"}}""");
        assertThat(createPod("db-0", "{\"app\":\"db\"}").body().path("metadata").path("labels").has("patched")).isFalse();
        assertThat(createPod("web-0", "{\"app\":\"web\"}").body().path("metadata").path("labels").path("patched").asText()).isEqualTo("yes");
        assertThat(reviews).hasSize(1);

        Answer otherNamespace = http.post("/api/v1/namespaces/team-b/pods", json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                + "\"metadata\":{\"name\":\"web-0\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}"));
        assertThat(otherNamespace.body().path("metadata").path("labels").has("patched")).isFalse();
        assertThat(reviews).hasSize(1);
    }

    @Test
    void aMutatedPodIsStillValidated() {
        configure("broken", "Fail", url(), caBundle, null);
        answer = request -> patch("[{\"op\":\"add\",\"path\":\"/spec/containers/-\",\"value\":{\"name\":\"app\",\"image\":\"x:1\"}}]");
        Answer refused = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(refused.code()).isEqualTo(422);
        assertThat(refused.message()).isEqualTo("Pod \"web-0\" is invalid: spec.containers[1].name: Duplicate value: \"app\"");
    }

    @Test
    void aPatchThatDoesNotApplyFailsTheCreate() {
        configure("bad-patch", "Ignore", url(), caBundle, null);
        answer = request -> patch("[{\"op\":\"remove\",\"path\":\"/metadata/annotations/absent\"}]");
        Answer refused = createPod("web-0", "{\"app\":\"web\"}");
        assertThat(refused.code()).as("a patch error is not a call failure: failurePolicy does not apply").isEqualTo(500);
    }
}
