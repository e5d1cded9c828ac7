package io.slipway.testkit.kube;

import static io.slipway.testkit.kube.KubeHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.slipway.testkit.kube.KubeHttp.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A DELETE honours finalizers and a pod's grace period, as the real API server's graceful deletion does. */
class FinalizersAndDeletionTest {
    private static final String CONFIG_MAPS = "/api/v1/namespaces/team-a/configmaps";
    private static final String PODS = "/api/v1/namespaces/team-a/pods";

    private SimulatedCluster cluster;
    private KubeHttp http;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        http = new KubeHttp(cluster);
    }

    @AfterEach
    void stop() {
        http.close();
        cluster.close();
    }

    @Test
    void anObjectWithAFinalizerIsOnlyMarkedAndGoesWhenTheLastFinalizerIsRemoved() {
        JsonNode created = http.post(CONFIG_MAPS, json("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]},"data":{"a":"b"}}""")).body();
        String uid = created.path("metadata").path("uid").asText();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch ignored = cluster.client().configMaps().inNamespace("team-a").watch(new ListOptionsBuilder()
                .withResourceVersion(created.path("metadata").path("resourceVersion").asText()).build(), new Watcher<ConfigMap>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap cm) {
                        seen.add(action + "/" + cm.getMetadata().getUid() + "/" + (cm.getMetadata().getDeletionTimestamp() != null));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            Answer deleted = http.delete(CONFIG_MAPS + "/held", null);
            assertThat(deleted.code()).isEqualTo(200);
            JsonNode marked = http.get(CONFIG_MAPS + "/held").body();
            assertThat(marked.path("metadata").path("deletionTimestamp").asText()).isNotEmpty();
            assertThat(marked.path("metadata").path("deletionGracePeriodSeconds").asInt()).isZero();
            assertThat(marked.path("metadata").path("uid").asText()).isEqualTo(uid);

            Answer relabelled = http.patch(CONFIG_MAPS + "/held", KubeHttp.MERGE_PATCH, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
            assertThat(relabelled.body().path("metadata").path("deletionTimestamp").asText()).as("a deletion cannot be undone")
                    .isEqualTo(marked.path("metadata").path("deletionTimestamp").asText());

            http.patch(CONFIG_MAPS + "/held", KubeHttp.JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
            assertThat(http.get(CONFIG_MAPS + "/held").code()).isEqualTo(404);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
            assertThat(seen).containsExactly("MODIFIED/" + uid + "/true", "MODIFIED/" + uid + "/true", "DELETED/" + uid + "/true");
        }
    }

    @Test
    void aPodNoKubeletRunsGoesAtOnceAndABoundOneWaitsForItsGracePeriod() {
        http.post(PODS, json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"unbound\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]}}"));
        assertThat(http.delete(PODS + "/unbound", null).code()).isEqualTo(200);
        assertThat(http.get(PODS + "/unbound").code()).isEqualTo(404);

        http.post(PODS, json("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bound\"},"
                + "\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/app:1\"}]}}"));
        Instant before = Instant.now().plusSeconds(29);
        JsonNode marked = http.delete(PODS + "/bound", null).body();
        assertThat(marked.path("metadata").path("deletionGracePeriodSeconds").asInt()).isEqualTo(30);
        assertThat(Instant.parse(marked.path("metadata").path("deletionTimestamp").asText())).isAfter(before);

        JsonNode shorter = http.delete(PODS + "/bound", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":5}").body();
        assertThat(shorter.path("metadata").path("deletionGracePeriodSeconds").asInt()).as("a shorter grace period wins").isEqualTo(5);

        assertThat(http.delete(PODS + "/bound", "{\"gracePeriodSeconds\":0}").code()).isEqualTo(200);
        assertThat(http.get(PODS + "/bound").code()).as("no grace and no finalizer: gone").isEqualTo(404);
    }

    @Test
    void aDeleteWithAPreconditionOnAnotherUidIsAConflict() {
        http.post(CONFIG_MAPS, json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\"}}"));
        Answer refused = http.delete(CONFIG_MAPS + "/cm", "{\"preconditions\":{\"uid\":\"other\"}}");
        assertThat(refused.code()).isEqualTo(409);
        assertThat(refused.message()).startsWith("Operation cannot be fulfilled on configmaps \"cm\": Precondition failed: UID in precondition: other");
        assertThat(http.delete(CONFIG_MAPS + "/nothing", null).message()).isEqualTo("configmaps \"nothing\" not found");
    }

    @Test
    void theFabric8ClientsDeleteGoesThroughTheSameRules() {
        http.post(CONFIG_MAPS, json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"held\",\"finalizers\":[\"example.com/hold\"]}}"));
        cluster.client().configMaps().inNamespace("team-a").withName("held").delete();
        ConfigMap marked = cluster.client().configMaps().inNamespace("team-a").withName("held").get();
        assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
        cluster.client().configMaps().inNamespace("team-a").withName("held").edit(cm -> {
            cm.getMetadata().setFinalizers(List.of());
            return cm;
        });
        assertThat(cluster.client().configMaps().inNamespace("team-a").withName("held").get()).isNull();
    }
}
