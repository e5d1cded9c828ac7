package io.slipway.testkit.kube;

import static io.slipway.testkit.kube.KubeHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.slipway.testkit.kube.KubeHttp.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes carry the API server's optimistic concurrency and its status subresource, for pods and for custom resources
 * whose CRD declares one; answers are the real Status objects; patch types the simulation does not serve get 415.
 */
class OptimisticConcurrencyTest {
    private static final String PODS = "/api/v1/namespaces/team-a/pods";
    private static final String SETS = "/apis/apps.kruise.io/v1beta1/namespaces/team-a/statefulsets";

    private SimulatedCluster cluster;
    private KubeHttp http;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        http = new KubeHttp(cluster);
        Answer crd = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json("""
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                 "metadata":{"name":"statefulsets.apps.kruise.io"},
                 "spec":{"group":"apps.kruise.io","scope":"Namespaced",
                   "names":{"plural":"statefulsets","singular":"statefulset","kind":"StatefulSet","shortNames":["asts"]},
                   "versions":[{"name":"v1beta1","served":true,"storage":true,"subresources":{"status":{}},
                     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}"""));
        assertThat(crd.code()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        http.close();
        cluster.close();
    }

    private JsonNode pod() {
        return http.post(PODS, json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]}}")).body();
    }

    private static final String CONFLICT = "Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
            + "please apply your changes to the latest version and try again";

    @Test
    void aMergePatchRemovesAKeySetToNullAndKeepsTheRest() {
        JsonNode first = pod();
        String rv = first.path("metadata").path("resourceVersion").asText();
        assertThat(http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}").code()).isEqualTo(200);
        Answer removed = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"labels\":{\"a\":null}}}");
        assertThat(removed.code()).isEqualTo(200);
        assertThat(removed.body().path("metadata").path("labels").has("a")).isFalse(); // RFC 7386: gone, not null
        assertThat(removed.body().path("metadata").path("labels").path("b").asText()).isEqualTo("2");
        assertThat(removed.body().path("spec").path("containers").get(0).path("image").asText()).isEqualTo("registry.local/app:1");
        // a merge patch naming an older resourceVersion is a conflict, as on the API server
        Answer stale = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"resourceVersion\":\"" + rv + "\",\"labels\":{\"c\":\"3\"}}}");
        assertThat(stale.code()).isEqualTo(409);
    }

    @Test
    void aWriteBasedOnAnOlderResourceVersionIsAConflict() {
        JsonNode first = pod();
        ObjectNode stale = first.deepCopy();
        Answer labelled = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
        assertThat(labelled.code()).isEqualTo(200);

        stale.with("metadata").with("labels").put("c", "d");
        Answer put = http.put(PODS + "/web-0", stale);
        assertThat(put.code()).isEqualTo(409);
        assertThat(put.reason()).isEqualTo("Conflict");
        assertThat(put.message()).isEqualTo(CONFLICT.formatted("pods", "web-0"));
        assertThat(put.body().path("details").path("kind").asText()).isEqualTo("pods");

        Answer patch = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"resourceVersion\":\""
                + first.path("metadata").path("resourceVersion").asText() + "\",\"labels\":{\"e\":\"f\"}}}");
        assertThat(patch.code()).isEqualTo(409);
        assertThat(patch.message()).isEqualTo(CONFLICT.formatted("pods", "web-0"));

        stale.with("status").put("phase", "Running");
        Answer status = http.put(PODS + "/web-0/status", stale);
        assertThat(status.code()).as("fabric8 alone lets a stale /status write through").isEqualTo(409);
        assertThat(http.get(PODS + "/web-0").body().path("status").path("phase").asText()).isEqualTo("Pending");

        Answer noVersion = http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"labels\":{\"e\":\"f\"}}}");
        assertThat(noVersion.code()).as("a patch without resourceVersion is unconditional").isEqualTo(200);
    }

    @Test
    void aCustomResourceWithAStatusSubresourceKeepsSpecAndStatusApart() {
        Answer created = http.post(SETS, json("""
                {"apiVersion":"apps.kruise.io/v1beta1","kind":"StatefulSet","metadata":{"name":"web"},
                 "spec":{"replicas":3},"status":{"replicas":9}}"""));
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.body().has("status")).as("status is not written on create").isFalse();
        assertThat(created.body().path("metadata").path("generation").asInt()).isEqualTo(1);

        ObjectNode status = created.body().deepCopy();
        status.putObject("status").put("replicas", 3).put("observedGeneration", 1);
        ((ObjectNode) status.get("spec")).put("replicas", 5);
        JsonNode afterStatus = http.put(SETS + "/web/status", status).body();
        assertThat(afterStatus.path("status").path("replicas").asInt()).isEqualTo(3);
        assertThat(afterStatus.path("spec").path("replicas").asInt()).as("a /status write changes only status").isEqualTo(3);
        assertThat(afterStatus.path("metadata").path("generation").asInt()).isEqualTo(1);

        ObjectNode labelled = afterStatus.deepCopy();
        labelled.with("metadata").with("labels").put("tier", "web");
        labelled.with("status").put("replicas", 0);
        JsonNode afterLabel = http.put(SETS + "/web", labelled).body();
        assertThat(afterLabel.path("status").path("replicas").asInt()).as("a write of the resource leaves status").isEqualTo(3);
        assertThat(afterLabel.path("metadata").path("generation").asInt()).as("metadata is not spec").isEqualTo(1);

        JsonNode scaled = http.patch(SETS + "/web", KubeHttp.MERGE_PATCH, "{\"spec\":{\"replicas\":4}}").body();
        assertThat(scaled.path("metadata").path("generation").asInt()).isEqualTo(2);

        Answer stale = http.put(SETS + "/web/status", afterStatus);
        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.message()).isEqualTo(CONFLICT.formatted("statefulsets.apps.kruise.io", "web"));

        JsonNode patched = http.patch(SETS + "/web/status", KubeHttp.MERGE_PATCH, "{\"status\":{\"observedGeneration\":2}}").body();
        assertThat(patched.path("status").path("observedGeneration").asInt()).isEqualTo(2);
        assertThat(patched.path("metadata").path("generation").asInt()).isEqualTo(2);
    }

    @Test
    void aWriteThatChangesNothingStoresNothing() {
        JsonNode pod = pod();
        Answer same = http.put(PODS + "/web-0", pod);
        assertThat(same.code()).isEqualTo(200);
        assertThat(same.body().path("metadata").path("resourceVersion").asText())
                .isEqualTo(pod.path("metadata").path("resourceVersion").asText());
    }

    @Test
    void createsAndReadsAnswerWithTheApiServersStatus() {
        pod();
        Answer again = http.post(PODS, json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]}}"));
        assertThat(again.code()).isEqualTo(409);
        assertThat(again.reason()).isEqualTo("AlreadyExists");
        assertThat(again.message()).isEqualTo("pods \"web-0\" already exists");

        Answer missing = http.get(SETS + "/nothing");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.reason()).isEqualTo("NotFound");
        assertThat(missing.message()).isEqualTo("statefulsets.apps.kruise.io \"nothing\" not found");
        assertThat(http.patch(PODS + "/nothing", KubeHttp.MERGE_PATCH, "{}").message()).isEqualTo("pods \"nothing\" not found");

        Answer scale = http.put(PODS + "/web-0/scale", json("{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\","
                + "\"metadata\":{\"name\":\"web-0\"},\"spec\":{\"replicas\":2}}"));
        assertThat(scale.code()).as("a subresource the simulation does not serve is not written as the pod").isEqualTo(404);
        assertThat(http.get(PODS + "/web-0").body().path("kind").asText()).isEqualTo("Pod");
    }

    @Test
    void aJsonPatchWhoseTestFailsChangesNothingAndAnswers422() {
        JsonNode first = pod();
        String rv = first.path("metadata").path("resourceVersion").asText();

        Answer failed = http.patch(PODS + "/web-0", "application/json-patch+json",
                "[{\"op\":\"test\",\"path\":\"/spec/containers/0/image\",\"value\":\"registry.local/app:0\"},"
                        + "{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"registry.local/app:2\"}]");
        assertThat(failed.code()).isEqualTo(422);
        assertThat(failed.body().path("kind").asText()).isEqualTo("Status");
        assertThat(failed.body().path("message").asText()).contains("Expected value \"registry.local/app:0\" but found value \"registry.local/app:1\"");
        JsonNode now = http.get(PODS + "/web-0").body();
        assertThat(now.path("spec").path("containers").get(0).path("image").asText()).isEqualTo("registry.local/app:1");
        assertThat(now.path("metadata").path("resourceVersion").asText()).isEqualTo(rv);
    }

    @Test
    void strategicMergePatchAndServerSideApplyAreNotServed() {
        pod();
        Answer strategic = http.patch(PODS + "/web-0", "application/strategic-merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
        assertThat(strategic.code()).isEqualTo(415);
        assertThat(strategic.reason()).isEqualTo("UnsupportedMediaType");
        Answer apply = http.patch(PODS + "/web-0?fieldManager=test", "application/apply-patch+yaml", "metadata:\n  labels:\n    a: b\n");
        assertThat(apply.code()).isEqualTo(415);

        var pods = cluster.client().pods().inNamespace("team-a");
        assertThatThrownBy(() -> pods.withName("web-0").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
        assertThatThrownBy(() -> pods.resource(new PodBuilder().withNewMetadata().withName("web-0").endMetadata().build())
                .fieldManager("test").serverSideApply())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    }
}
