package io.slipway.testkit.kube;

import static io.slipway.testkit.kube.KubeHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.slipway.testkit.kube.KubeHttp.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scale subresource: read and written as an autoscaling/v1 Scale for apps/v1 workloads and for custom resources
 * whose CRD declares it, with the API server's concurrency and validation, and 404 where there is none.
 */
class ScaleSubresourceTest {
    private static final String SETS = "/apis/apps.kruise.io/v1beta1/namespaces/team-a/statefulsets";
    private static final String WIDGETS = "/apis/example.io/v1/namespaces/team-a/widgets";

    private SimulatedCluster cluster;
    private KubeHttp http;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        http = new KubeHttp(cluster);
        crd("statefulsets", "apps.kruise.io", "v1beta1", "StatefulSet", """
                ,"subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas",
                  "labelSelectorPath":".status.labelSelector"}}""");
        crd("widgets", "example.io", "v1", "Widget", ",\"subresources\":{\"status\":{}}");
    }

    private void crd(String plural, String group, String version, String kind, String subresources) {
        Answer crd = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json("""
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                 "metadata":{"name":"%s.%s"},
                 "spec":{"group":"%s","scope":"Namespaced","names":{"plural":"%s","singular":"x","kind":"%s"},
                   "versions":[{"name":"%s","served":true,"storage":true%s,
                     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}"""
                .formatted(plural, group, group, plural, kind, version, subresources)));
        assertThat(crd.code()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        http.close();
        cluster.close();
    }

    @Test
    void aDeploymentIsScaledThroughItsScaleAndKeepsEverythingElse() {
        KubernetesClient client = cluster.client();
        client.apps().deployments().inNamespace("team-a").resource(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").addToMatchLabels("tier", "front").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").addToLabels("tier", "front").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/web:1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        var web = client.apps().deployments().inNamespace("team-a").withName("web");

        Scale scale = web.scale();
        assertThat(scale.getSpec().getReplicas()).isEqualTo(2);
        assertThat(scale.getStatus().getSelector()).isEqualTo("app=web,tier=front");

        web.scale(5);
        var stored = web.get();
        assertThat(stored.getSpec().getReplicas()).isEqualTo(5);
        assertThat(stored.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(stored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/web:1");

        // a Scale read before another write is stale: 409, as the API server answers
        JsonNode old = http.get("/apis/apps/v1/namespaces/team-a/deployments/web/scale").body();
        web.scale(0); // scale to zero is a valid size
        Answer stale = http.put("/apis/apps/v1/namespaces/team-a/deployments/web/scale", ((ObjectNode) old.deepCopy()).set("spec", json("{\"replicas\":7}")));
        assertThat(stale.code()).isEqualTo(409);
        assertThat(web.get().getSpec().getReplicas()).isZero();

        Answer negative = http.patch("/apis/apps/v1/namespaces/team-a/deployments/web/scale", KubeHttp.MERGE_PATCH, "{\"spec\":{\"replicas\":-1}}");
        assertThat(negative.code()).isEqualTo(422);
        assertThat(negative.body().path("message").asText()).contains("spec.replicas");
    }

    @Test
    void aCustomResourceHasTheScaleItsDefinitionDeclaresAndNoOther() {
        assertThat(http.post(SETS, json("""
                {"apiVersion":"apps.kruise.io/v1beta1","kind":"StatefulSet","metadata":{"name":"db"},
                 "spec":{"replicas":3,"template":{}}}""")).code()).isEqualTo(201);
        http.patch(SETS + "/db/status", KubeHttp.MERGE_PATCH, "{\"status\":{\"replicas\":3,\"labelSelector\":\"app=db\"}}");
        Answer patched = http.patch(SETS + "/db/scale", KubeHttp.MERGE_PATCH, "{\"spec\":{\"replicas\":1}}");
        assertThat(patched.code()).isEqualTo(200);
        assertThat(patched.body().path("kind").asText()).isEqualTo("Scale");
        assertThat(patched.body().path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(patched.body().path("status").path("replicas").asInt()).isEqualTo(3);
        assertThat(patched.body().path("status").path("selector").asText()).isEqualTo("app=db");
        assertThat(http.get(SETS + "/db").body().path("spec").path("replicas").asInt()).isEqualTo(1);

        var generic = cluster.client().genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup("apps.kruise.io")
                .withVersion("v1beta1").withPlural("statefulsets").withKind("StatefulSet").withNamespaced(true).build());
        generic.inNamespace("team-a").withName("db").scale(4);
        assertThat(http.get(SETS + "/db").body().path("spec").path("replicas").asInt()).isEqualTo(4);

        assertThat(http.post(WIDGETS, json("{\"apiVersion\":\"example.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"spec\":{}}"))
                .code()).isEqualTo(201);
        assertThat(http.get(WIDGETS + "/w/scale").code()).isEqualTo(404);
        assertThat(http.patch(WIDGETS + "/w/scale", KubeHttp.MERGE_PATCH, "{\"spec\":{\"replicas\":1}}").code()).isEqualTo(404);
        assertThat(http.get("/apis/apps/v1/namespaces/team-a/deployments/none/scale").code()).isEqualTo(404);
    }
}
