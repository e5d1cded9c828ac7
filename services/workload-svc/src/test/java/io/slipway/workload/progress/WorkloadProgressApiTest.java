package io.slipway.workload.progress;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.security.Role;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.testkit.kube.SimulatedKubelet;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.kruise.broadcastjob.BroadcastJob;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The live view of a rollout over REST and Server-Sent Events, against the controllers on the simulated kubelet: a
 * stream follows an in-place update pod by pod and ends once it settled; BroadcastJobs and SidecarSets have views
 * too; a missing workload or kind is a 404 naming it, and the views need a token.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "kubelet", value = "true"), @ResourceArg(name = "nodes", value = "0"),
        @ResourceArg(name = "start-millis", value = "100"), @ResourceArg(name = "ready-millis", value = "100"),
        @ResourceArg(name = "slipway.workload.controllers", value = "true")})
class WorkloadProgressApiTest {
    static final String API = "/api/v1/workloads";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static KubernetesClient client;

    static synchronized KubernetesClient k() {
        if (client == null) {
            client = KruiseTestCluster.client();
            for (String node : List.of("progress-1", "progress-2")) {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).withLabels(Map.of("pool", "progress"))
                        .endMetadata().build()).create();
            }
        }
        return client;
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static JsonNode get(String path) {
        return Serialization.unmarshal(given().header("Authorization", TestTokens.bearer(Role.viewer)).get(API + path)
                .then().statusCode(200).extract().asString(), JsonNode.class);
    }

    /** Every view the stream sent, in order; returns once the server ended the stream. */
    static List<JsonNode> stream(String path) {
        String body = given().header("Authorization", TestTokens.bearer(Role.viewer)).accept("text/event-stream").get(API + path + "/stream")
                .then().statusCode(200).extract().asString();
        List<JsonNode> views = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                views.add(Serialization.unmarshal(line.substring(5).trim(), JsonNode.class));
            }
        }
        return views;
    }

    static AdvancedStatefulSet set(String name, String image) {
        return Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: %s, namespace: default}
                spec:
                  replicas: 3
                  serviceName: %s
                  podManagementPolicy: Parallel
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      readinessGates: [{conditionType: InPlaceUpdateReady}]
                      containers: [{name: main, image: %s}]
                  updateStrategy:
                    rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 1}
                """.formatted(name, name, name, name, image), AdvancedStatefulSet.class);
    }

    @Test
    void theStreamFollowsAnInPlaceUpdatePodByPodAndEndsOnceItSettled() {
        k().resources(AdvancedStatefulSet.class).inNamespace("default").resource(set("live", "registry.local/web:1")).create();
        List<JsonNode> created = stream("/default/statefulsets/live");
        JsonNode first = created.getFirst();
        JsonNode last = created.getLast();
        assertThat(last.path("settled").asBoolean()).isTrue();
        assertThat(last.path("phase").asText()).isEqualTo("Finished");
        assertThat(last.path("kind").asText()).isEqualTo("StatefulSet");
        assertThat(last.path("ready").asInt()).isEqualTo(3);
        assertThat(last.path("pods")).extracting(p -> p.path("name").asText()).containsExactly("live-0", "live-1", "live-2");
        assertThat(created.stream().filter(v -> v.path("settled").asBoolean())).as("the stream ends after the first settled view").hasSize(1);
        assertThat(first.path("ready").asInt() < 3 || created.size() == 1).as("a view while pods were starting, or one settled view").isTrue();
        Set<String> uids = uids(last);

        KruiseTestCluster.edit(k().resources(AdvancedStatefulSet.class).inNamespace("default").withName("live"), s -> {
                    s.getSpec().template.getSpec().getContainers().getFirst().setImage("registry.local/web:2");
                    return s;
                });
        await().atMost(WAIT).until(() -> !get("/default/statefulsets/live").path("settled").asBoolean()
                || !get("/default/statefulsets/live").path("updateRevision").asText().equals(last.path("updateRevision").asText()));
        List<JsonNode> updated = stream("/default/statefulsets/live");
        JsonNode done = updated.getLast();
        assertThat(done.path("settled").asBoolean()).isTrue();
        assertThat(done.path("updated").asInt()).isEqualTo(3);
        assertThat(done.path("currentRevision").asText()).isEqualTo(done.path("updateRevision").asText()).isNotEqualTo(last.path("updateRevision").asText());
        assertThat(uids(done)).as("in place: the same pods").isEqualTo(uids);
        assertThat(updated.stream().flatMap(v -> StreamSupport.stream(v.path("pods").spliterator(), false))
                .anyMatch(p -> p.path("updatingInPlace").asBoolean() || !p.path("ready").asBoolean()))
                .as("some view showed a pod being updated").isTrue();
        assertThat(updated.stream().mapToInt(v -> v.path("updated").asInt()).distinct().count())
                .as("the count of updated pods moved through the stream, not in one jump").isGreaterThan(1);
    }

    static Set<String> uids(JsonNode view) {
        return StreamSupport.stream(view.path("pods").spliterator(), false).map(p -> p.path("uid").asText()).collect(Collectors.toSet());
    }

    @Test
    void aBroadcastJobShowsItsPodsPerNodeUntilItCompletes() {
        BroadcastJob job = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: BroadcastJob
                metadata: {name: warm, namespace: default}
                spec:
                  template:
                    metadata:
                      annotations: {%s: "0", %s: "300"}
                    spec:
                      restartPolicy: Never
                      nodeSelector: {pool: progress}
                      containers: [{name: main, image: registry.local/warm:1}]
                """.formatted(SimulatedKubelet.EXIT_CODE_ANNOTATION, SimulatedKubelet.RUN_MILLIS_ANNOTATION), BroadcastJob.class);
        k().resources(BroadcastJob.class).inNamespace("default").resource(job).create();
        JsonNode last = stream("/default/broadcastjobs/warm").getLast();
        assertThat(last.path("kind").asText()).isEqualTo("BroadcastJob");
        assertThat(last.path("phase").asText()).isEqualTo("Finished");
        assertThat(last.path("desired").asInt()).isEqualTo(2);
        assertThat(last.path("updatedReady").asInt()).as("succeeded").isEqualTo(2);
        assertThat(last.path("ready").asInt()).as("running or succeeded: a finished job is not unavailable").isEqualTo(2);
        assertThat(last.path("pods")).extracting(p -> p.path("node").asText()).containsExactlyInAnyOrder("progress-1", "progress-2");
    }

    @Test
    void aSidecarSetIsShownClusterWide() {
        SidecarSet set = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: progress-mesh}
                spec:
                  selector: {matchLabels: {app: nothing-yet}}
                  containers: [{name: proxy, image: registry.local/proxy:1}]
                """, SidecarSet.class);
        k().resources(SidecarSet.class).resource(set).create();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode view = get("/any/sidecarsets/progress-mesh");
            assertThat(view.path("kind").asText()).isEqualTo("SidecarSet");
            assertThat(view.path("namespace").asText()).isEmpty();
            assertThat(view.path("settled").asBoolean()).isTrue();
            assertThat(view.path("desired").asInt()).isZero();
            assertThat(view.path("updateRevision").asText()).startsWith("progress-mesh-");
        });
    }

    @Test
    void aMissingWorkloadOrKindIsA404NamingItAndTheViewsNeedAToken() {
        String missing = given().header("Authorization", TestTokens.bearer(Role.viewer)).get(API + "/default/statefulsets/nope")
                .then().statusCode(404).extract().asString();
        assertThat(missing).contains("default/nope");
        String kind = given().header("Authorization", TestTokens.bearer(Role.viewer)).get(API + "/default/deployments/web")
                .then().statusCode(404).extract().asString();
        assertThat(kind).contains("deployments").contains("broadcastjobs, components, sidecarsets, statefulsets");
        given().get(API + "/default/statefulsets/live").then().statusCode(401);
        assertThat(given().header("Authorization", TestTokens.bearer(Role.viewer)).get(API).then().statusCode(200).extract().asString())
                .contains("broadcastjobs").contains("sidecarsets").contains("statefulsets");
    }
}
