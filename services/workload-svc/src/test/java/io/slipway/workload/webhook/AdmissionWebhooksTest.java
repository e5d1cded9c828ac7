package io.slipway.workload.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admission webhooks as the API server calls them: AdmissionReview v1 over HTTPS, no bearer token. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "slipway.workload.webhook.enabled", value = "true")})
@WithTestResource(WebhookTlsResource.class)
class AdmissionWebhooksTest {
    static final String MESH = """
            apiVersion: apps.kruise.io/v1beta1
            kind: SidecarSet
            metadata: {name: mesh}
            spec:
              selector: {matchLabels: {app: web}}
              containers:
              - {name: proxy, image: envoy:1}
              - {name: log, image: fluent:1, podInjectPolicy: AfterAppContainer}
            """;

    final KubernetesClient k = KruiseTestCluster.client();
    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @AfterEach
    void cleanUp() {
        k.resources(SidecarSet.class).delete();
        k.close();
    }

    /** The webhooks' address over HTTPS, where they are registered. */
    String url(String path) {
        String base = https.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    /** HTTPS trusting exactly the CA the webhooks are registered with, the host name verified. */
    static RequestSpecification https() {
        return given().config(RestAssured.config().sslConfig(SSLConfig.sslConfig()
                        .trustStore(System.getProperty("slipwaytest.webhook.truststore"), WebhookTlsResource.PASSWORD)))
                .contentType("application/json");
    }

    static ObjectNode review(String uid, String operation, String group, String version, String resource, String namespace, String objectYaml) {
        ObjectNode review = Serialization.jsonMapper().createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", uid).put("operation", operation).put("namespace", namespace);
        request.putObject("resource").put("group", group).put("version", version).put("resource", resource);
        request.set("object", Serialization.unmarshal(objectYaml, ObjectNode.class));
        return review;
    }

    JsonNode post(String path, ObjectNode review) {
        String body = https().body(review.toString()).post(url(path)).then().statusCode(200).extract().asString();
        return Serialization.unmarshal(body, JsonNode.class);
    }

    static final String POD = """
            metadata: {name: web-0, namespace: shop, labels: {app: web}}
            spec:
              containers: [{name: main, image: web:1}]
            """;

    @Test
    void theWebhooksAreRegisteredWithTheirUrlAndCaBundle() throws Exception {
        String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(System.getProperty("slipwaytest.webhook.truststore"))
                .resolveSibling("ca.pem")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var mutating = k.admissionRegistration().v1().mutatingWebhookConfigurations().withName("slipway-workload").get();
            assertThat(mutating).isNotNull();
            MutatingWebhook pods = mutating.getWebhooks().get(0);
            assertThat(pods.getName()).isEqualTo("msidecarset.slipway.io");
            assertThat(pods.getClientConfig().getUrl()).isEqualTo(url("/webhooks/mutate-pod"));
            assertThat(pods.getClientConfig().getCaBundle()).isEqualTo(ca);
            assertThat(pods.getFailurePolicy()).isEqualTo("Fail");
            assertThat(pods.getSideEffects()).isEqualTo("None");
            assertThat(pods.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(pods.getRules()).singleElement().satisfies(r -> {
                assertThat(r.getOperations()).containsExactly("CREATE");
                assertThat(r.getResources()).containsExactly("pods");
            });
            assertThat(pods.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
                assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
                assertThat(e.getOperator()).isEqualTo("NotIn");
                assertThat(e.getValues()).containsExactly("kube-system");
            });
            var validating = k.admissionRegistration().v1().validatingWebhookConfigurations().withName("slipway-workload").get();
            assertThat(validating).isNotNull();
            ValidatingWebhook sets = validating.getWebhooks().get(0);
            assertThat(sets.getName()).isEqualTo("vsidecarset.slipway.io");
            assertThat(sets.getClientConfig().getUrl()).isEqualTo(url("/webhooks/validate-sidecarset"));
            assertThat(sets.getRules().get(0).getApiVersions()).containsExactly("v1alpha1", "v1beta1");
            assertThat(sets.getRules().get(0).getOperations()).containsExactly("CREATE", "UPDATE");
        });
    }

    @Test
    void theCrdsServedInTwoVersionsConvertThroughTheWebhookWithTheSameCa() throws Exception {
        String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(System.getProperty("slipwaytest.webhook.truststore"))
                .resolveSibling("ca.pem")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String name : List.of("sidecarsets.apps.kruise.io", "broadcastjobs.apps.kruise.io")) {
                var conversion = k.apiextensions().v1().customResourceDefinitions().withName(name).get().getSpec().getConversion();
                assertThat(conversion).as(name).isNotNull();
                assertThat(conversion.getStrategy()).as(name).isEqualTo("Webhook");
                assertThat(conversion.getWebhook().getConversionReviewVersions()).as(name).containsExactly("v1");
                assertThat(conversion.getWebhook().getClientConfig().getUrl()).as(name).isEqualTo(url("/webhooks/convert"));
                assertThat(conversion.getWebhook().getClientConfig().getCaBundle()).as(name).isEqualTo(ca);
            }
        });
        var statefulSets = k.apiextensions().v1().customResourceDefinitions().withName("statefulsets.apps.kruise.io").get().getSpec();
        assertThat(statefulSets.getConversion() == null || "None".equals(statefulSets.getConversion().getStrategy()))
                .as("one version, nothing to convert").isTrue();
    }

    @Test
    void aPodIsAnsweredWithTheJsonPatchThatInjectsItsSidecars() {
        k.resources(SidecarSet.class).resource(Serialization.unmarshal(MESH, SidecarSet.class)).create();
        String uid = UUID.randomUUID().toString();
        ObjectNode review = review(uid, "CREATE", "", "v1", "pods", "shop", POD);

        JsonNode response = await().atMost(Duration.ofSeconds(30)).until(() -> post("/webhooks/mutate-pod", review).path("response"),
                r -> r.has("patch"));

        assertThat(response.path("uid").asText()).isEqualTo(uid);
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = Serialization.unmarshal(new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8),
                JsonNode.class);
        JsonNode pod = JsonPatch.apply(patch, review.path("request").path("object"));
        assertThat(pod.path("spec").path("containers").valueStream().map(c -> c.path("name").asText())).containsExactly("proxy", "main", "log");
        assertThat(pod.path("metadata").path("annotations").path("kruise.io/sidecarset-injected-list").asText()).isEqualTo("mesh");
        assertThat(pod.path("spec").path("readinessGates").get(0).path("conditionType").asText()).isEqualTo("InPlaceUpdateReady");
    }

    @Test
    void aPodNoSidecarSetSelectsIsAllowedUnchanged() {
        JsonNode response = post("/webhooks/mutate-pod", review("u1", "CREATE", "", "v1", "pods", "shop", """
                metadata: {name: api-0, namespace: shop, labels: {app: api}}
                spec:
                  containers: [{name: main, image: api:1}]
                """)).path("response");

        assertThat(response.path("uid").asText()).isEqualTo("u1");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void aBadSidecarSetIsRefusedWithItsField() {
        JsonNode response = post("/webhooks/validate-sidecarset", review("u2", "CREATE", "apps.kruise.io", "v1beta1", "sidecarsets", "", """
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: bad}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1}, {name: proxy, image: envoy:2}]
                """)).path("response");

        assertThat(response.path("uid").asText()).isEqualTo("u2");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(422);
        assertThat(response.path("status").path("message").asText()).isEqualTo("SidecarSet.apps.kruise.io \"bad\" is invalid: "
                + "spec.containers[1].name: Duplicate value: \"proxy\": the SidecarSet injects another container of that name");
    }

    @Test
    void changingASidecarsUpgradeTypeIsRefusedOnUpdate() {
        String cold = """
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1}]
                """;
        ObjectNode update = review("u5", "UPDATE", "apps.kruise.io", "v1beta1", "sidecarsets", "", cold.replace("image: envoy:1}",
                "image: envoy:2, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}"));
        ((ObjectNode) update.get("request")).set("oldObject", Serialization.unmarshal(cold, ObjectNode.class));

        JsonNode response = post("/webhooks/validate-sidecarset", update).path("response");
        JsonNode create = post("/webhooks/validate-sidecarset", review("u6", "CREATE", "apps.kruise.io", "v1beta1", "sidecarsets", "",
                cold.replace("name: mesh", "name: mesh-hot").replace("image: envoy:1}",
                        "image: envoy:2, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}"))).path("response");

        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("message").asText()).isEqualTo("SidecarSet.apps.kruise.io \"mesh\" is invalid: "
                + "spec.containers[0].upgradeStrategy.upgradeType: Invalid value: \"HotUpgrade\": container proxy's upgradeType is immutable"
                + " (its pods were injected with one container); create a new SidecarSet or a new container name instead");
        assertThat(create.path("allowed").asBoolean()).as("the same SidecarSet is fine as a new one").isTrue();
    }

    @Test
    void aSidecarSetWhoseContainerAnotherInjectsIntoTheSamePodsIsRefusedInEitherVersion() {
        k.resources(SidecarSet.class).resource(Serialization.unmarshal(MESH, SidecarSet.class)).create();
        ObjectNode alpha = review("u3", "CREATE", "apps.kruise.io", "v1alpha1", "sidecarsets", "", """
                apiVersion: apps.kruise.io/v1alpha1
                kind: SidecarSet
                metadata: {name: linkerd}
                spec:
                  namespace: shop
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: linkerd:2}]
                """);

        JsonNode response = await().atMost(Duration.ofSeconds(30)).until(() -> post("/webhooks/validate-sidecarset", alpha).path("response"),
                r -> !r.path("allowed").asBoolean());

        assertThat(response.path("status").path("message").asText()).contains("spec.containers[0].name: Invalid value: \"proxy\": "
                + "SidecarSet mesh, whose selector can select the same pods, injects a container named proxy");
    }

    @Test
    void theWebhooksNeedNoTokenButAReview() {
        https().body("{}").post(url("/webhooks/mutate-pod")).then().statusCode(400);
        https().body(review("u4", "DELETE", "", "v1", "pods", "shop", POD).toString()).post(url("/webhooks/mutate-pod")).then().statusCode(200);
    }
}
