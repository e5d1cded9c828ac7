package io.slipway.event.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * event-svc itself ingests the clusters it is configured with (typed config, startup, health, metrics): "edge" through
 * the Quarkus Kubernetes Client's own configuration ({@code quarkus.kubernetes-client.master-url}), "branch" through
 * a named kubeconfig context built on top of it.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "event"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {
        @ResourceArg(name = "cluster", value = "edge"),
        @ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "slipway.ingest.topic", value = IngestServiceTest.TOPIC),
        @ResourceArg(name = "slipway.ingest.pipeline.checkpoint-interval", value = "100ms")})
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {
        @ResourceArg(name = "cluster", value = "branch"),
        @ResourceArg(name = "client", value = "kubeconfig")})
class IngestServiceTest {
    static final String TOPIC = "test.ingest.edge.events";

    @Test
    void theServiceIngestsItsClusterAndReportsIt() throws Exception {
        Config config = Config.fromKubeconfig("edge", SimulatedClusterResource.kubeconfig("edge").toFile());
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             TopicReader reader = new TopicReader(TOPIC)) {
            var pod = client.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("cart-0")
                    .withLabels(Map.of("app", "cart")).endMetadata()
                    .withNewSpec().addNewContainer().withName("cart").withImage("registry.local/cart:1").endContainer().endSpec().build()).create();
            Event event = client.v1().events().inNamespace("shop").resource(new EventBuilder()
                    .withNewMetadata().withName("cart-0.1").endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace("shop").withName("cart-0")
                    .withUid(pod.getMetadata().getUid()).endInvolvedObject()
                    .withType("Warning").withReason("BackOff").withMessage("back-off restarting").withCount(1)
                    .withLastTimestamp(Instant.now().toString())
                    .build()).create();
            await().atMost(Duration.ofSeconds(60)).until(() -> fromEdge(reader).size() == 1);

            client.v1().events().inNamespace("shop").withName("cart-0.1").edit(e -> {
                e.setCount(2);
                e.setLastTimestamp(Instant.now().toString());
                return e;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> fromEdge(reader).size() == 2);
            assertThat(fromEdge(reader)).map(r -> r.event().getUid() + "/" + r.event().getCount())
                    .containsExactly(event.getMetadata().getUid() + "/1", event.getMetadata().getUid() + "/2");
            assertThat(fromEdge(reader)).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo(pod.getMetadata().getUid());
                assertThat(r.event().getInvolvedLabels()).isEqualTo(Map.of("app", "cart"));
            });
        }
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString("slipway-ingest"), containsString("edge"), containsString("branch"));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("slipway_ingest_events_published_total") && l.contains("cluster=\"edge\"")).toList())
                .singleElement().satisfies(l -> assertThat(l).endsWith(" 2.0"));
        assertThat(List.of("slipway_ingest_events_watched_total", "slipway_ingest_duplicates_skipped_total", "slipway_ingest_relists_total",
                "slipway_ingest_lag_seconds", "slipway_ingest_queue_depth"))
                .allSatisfy(name -> assertThat(metrics).contains(name));
    }

    /** What the cluster "edge" published (the other cluster publishes to the same topic). */
    private static List<TopicReader.Published> fromEdge(TopicReader reader) {
        return reader.records().stream().filter(r -> r.event().getCluster().equals("edge")).toList();
    }

    @Test
    void aClusterNamedByItsKubeconfigContextIsIngestedBesideQuarkussOwn() throws Exception {
        Config config = Config.fromKubeconfig("branch", SimulatedClusterResource.kubeconfig("branch").toFile());
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             TopicReader reader = new TopicReader(TOPIC)) {
            Event event = client.v1().events().inNamespace("depot").resource(new EventBuilder()
                    .withNewMetadata().withName("node-1.1").endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("Node").withName("node-1").withUid("node-1-uid").endInvolvedObject()
                    .withType("Normal").withReason("Rebooted").withMessage("node rebooted").withCount(1)
                    .withLastTimestamp(Instant.now().toString())
                    .build()).create();
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.records().stream().anyMatch(r -> r.event().getCluster().equals("branch")));
            assertThat(reader.records()).filteredOn(r -> r.event().getCluster().equals("branch")).singleElement().satisfies(r -> {
                assertThat(r.event().getUid()).isEqualTo(event.getMetadata().getUid());
                assertThat(r.key()).isEqualTo("node-1-uid");
            });
        }
    }
}
