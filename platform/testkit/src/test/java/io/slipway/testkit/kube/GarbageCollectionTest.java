package io.slipway.testkit.kube;

import static io.slipway.testkit.kube.KubeHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.testkit.kube.KubeHttp.Answer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deleting an owner deletes its dependents (background propagation), leaves them without the reference (orphan), or
 * waits for them (foreground), for built-in objects and custom resources alike, as the garbage collector does.
 */
class GarbageCollectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NS = "/namespaces/team-a";
    private static final String SETS = "/apis/apps.kruise.io/v1beta1" + NS + "/statefulsets";
    private static final String PODS = "/api/v1" + NS + "/pods";
    private static final String REVISIONS = "/apis/apps/v1" + NS + "/controllerrevisions";
    private static final String CLAIMS = "/api/v1" + NS + "/persistentvolumeclaims";
    private static final String REPLICA_SETS = "/apis/apps/v1" + NS + "/replicasets";

    private SimulatedCluster cluster;
    private KubeHttp http;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        http = new KubeHttp(cluster);
        http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json("""
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                 "metadata":{"name":"statefulsets.apps.kruise.io"},
                 "spec":{"group":"apps.kruise.io","scope":"Namespaced",
                   "names":{"plural":"statefulsets","singular":"statefulset","kind":"StatefulSet"},
                   "versions":[{"name":"v1beta1","served":true,"storage":true,"subresources":{"status":{}},
                     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}"""));
    }

    @AfterEach
    void stop() {
        http.close();
        cluster.close();
    }

    private JsonNode create(String path, String apiVersion, String kind, String name, JsonNode owner, boolean block, String extra) {
        ObjectNode object = json("{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name + "\"}"
                + (extra == null ? "" : "," + extra) + "}");
        if (owner != null) {
            ((ObjectNode) object.get("metadata")).putArray("ownerReferences").add(reference(owner, block));
        }
        Answer answer = http.post(path, object);
        assertThat(answer.code()).as("%s", answer.body()).isEqualTo(201);
        return answer.body();
    }

    private static ObjectNode reference(JsonNode owner, boolean block) {
        ObjectNode ref = json("{}");
        ref.put("apiVersion", owner.path("apiVersion").asText()).put("kind", owner.path("kind").asText())
                .put("name", owner.path("metadata").path("name").asText()).put("uid", owner.path("metadata").path("uid").asText())
                .put("controller", true).put("blockOwnerDeletion", block);
        return ref;
    }

    private JsonNode statefulSet(String name) {
        return create(SETS, "apps.kruise.io/v1beta1", "StatefulSet", name, null, false, "\"spec\":{\"replicas\":1}");
    }

    private JsonNode pod(String name, JsonNode owner, boolean block) {
        return create(PODS, "v1", "Pod", name, owner, block, "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]}");
    }

    private boolean gone(String path) {
        return http.get(path).code() == 404;
    }

    @Test
    void aCustomResourcesPodsRevisionsAndClaimsAreCollectedWithIt() {
        JsonNode set = statefulSet("web");
        pod("web-0", set, true);
        create(REVISIONS, "apps/v1", "ControllerRevision", "web-7d4b9", set, true, "\"revision\":1");
        create(CLAIMS, "v1", "PersistentVolumeClaim", "data-web-0", set, false,
                "\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}");
        JsonNode unrelated = pod("other-0", null, false);

        assertThat(http.delete(SETS + "/web", null).code()).isEqualTo(200);
        assertThat(gone(SETS + "/web")).as("background: the owner goes first").isTrue();
        await().atMost(WAIT).until(() -> gone(PODS + "/web-0") && gone(REVISIONS + "/web-7d4b9") && gone(CLAIMS + "/data-web-0"));
        assertThat(http.get(PODS + "/other-0").body().path("metadata").path("uid")).isEqualTo(unrelated.path("metadata").path("uid"));
    }

    @Test
    void collectionIsRecursive() {
        JsonNode set = statefulSet("web");
        JsonNode replicas = create(REPLICA_SETS, "apps/v1", "ReplicaSet", "web-rs", set, true, "\"spec\":{\"replicas\":1}");
        pod("web-rs-abcde", replicas, true);
        http.delete(SETS + "/web", "{\"propagationPolicy\":\"Background\"}");
        await().atMost(WAIT).until(() -> gone(REPLICA_SETS + "/web-rs") && gone(PODS + "/web-rs-abcde"));
    }

    @Test
    void orphanedDependentsStayWithoutTheReference() {
        JsonNode set = statefulSet("web");
        pod("web-0", set, true);
        http.delete(SETS + "/web", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Orphan\"}");
        await().atMost(WAIT).until(() -> gone(SETS + "/web"));
        JsonNode orphan = http.get(PODS + "/web-0").body();
        assertThat(orphan.path("metadata").has("ownerReferences")).isFalse();
        assertThat(orphan.path("metadata").has("deletionTimestamp")).isFalse();
    }

    @Test
    void aForegroundDeletionWaitsForBlockingDependents() {
        JsonNode set = statefulSet("web");
        ObjectNode held = (ObjectNode) pod("web-0", set, true);
        http.patch(PODS + "/web-0", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}");

        http.delete(SETS + "/web", "{\"propagationPolicy\":\"Foreground\"}");
        await().atMost(WAIT).until(() -> http.get(PODS + "/web-0").body().path("metadata").has("deletionTimestamp"));
        JsonNode owner = http.get(SETS + "/web").body();
        assertThat(owner.path("metadata").path("finalizers").toString()).contains("foregroundDeletion");

        http.patch(PODS + "/web-0", KubeHttp.JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
        await().atMost(WAIT).until(() -> gone(PODS + "/web-0") && gone(SETS + "/web"));
        assertThat(held.path("metadata").path("uid").asText()).isNotEmpty();
    }

    @Test
    void aDependentWithAnotherLiveOwnerLosesOnlyTheGoneOwnersReference() {
        JsonNode first = statefulSet("web");
        JsonNode second = statefulSet("web-canary");
        ObjectNode shared = json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"shared\"}}");
        ((ObjectNode) shared.get("metadata")).putArray("ownerReferences").add(reference(first, false)).add(reference(second, false));
        http.post("/api/v1" + NS + "/configmaps", shared);

        http.delete(SETS + "/web", null);
        await().atMost(WAIT).until(() -> http.get("/api/v1" + NS + "/configmaps/shared").body().path("metadata").path("ownerReferences").size() == 1);
        assertThat(http.get("/api/v1" + NS + "/configmaps/shared").body().path("metadata").path("ownerReferences").get(0).path("uid"))
                .isEqualTo(second.path("metadata").path("uid"));
    }

    @Test
    void anObjectCreatedWithOnlyAGoneOwnerIsCollected() {
        JsonNode set = statefulSet("web");
        http.delete(SETS + "/web", null);
        pod("web-0", set, true);
        await().atMost(WAIT).until(() -> gone(PODS + "/web-0"));
    }
}
