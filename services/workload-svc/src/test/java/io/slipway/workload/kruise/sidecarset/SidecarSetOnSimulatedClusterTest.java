package io.slipway.workload.kruise.sidecarset;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.workload.WorkloadTransitioned;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import io.slipway.workload.webhook.WebhookTlsResource;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SidecarSets on the simulated cluster, end to end: pods created through the API server get their sidecars from
 * workload-svc's pod webhook (called over HTTPS with the registered CA bundle), the simulated kubelet runs them, and
 * the controller upgrades the sidecars in place; transitions arrive on slipway.workload.events.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "kubelet", value = "true"), @ResourceArg(name = "nodes", value = "2"),
        @ResourceArg(name = "start-millis", value = "150"), @ResourceArg(name = "ready-millis", value = "150"),
        @ResourceArg(name = "slipway.workload.controllers", value = "true")})
@WithTestResource(WebhookTlsResource.class)
class SidecarSetOnSimulatedClusterTest {
    static final Duration LONG = Duration.ofSeconds(60);
    final KubernetesClient k = KruiseTestCluster.client();
    @TestHTTPResource(value = "/webhooks/mutate-pod", tls = true)
    URL podWebhook;

    @AfterEach
    void cleanUp() {
        k.resources(SidecarSet.class).delete();
        k.close();
    }

    SidecarSet create(String yaml) {
        return k.resources(SidecarSet.class).resource(Serialization.unmarshal(yaml, SidecarSet.class)).create();
    }

    static Pod pod(String namespace, String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.local/web:1").endContainer().endSpec().build();
    }

    Pod get(String namespace, String name) {
        return k.pods().inNamespace(namespace).withName(name).get();
    }

    /** Waits until the pod webhook's cache knows the SidecarSet: asks the webhook itself, as the API server would. */
    void awaitWebhookInjects(String namespace, Map<String, String> labels) {
        await().atMost(LONG).until(() -> webhookAnswer(namespace, labels).has("patch"));
    }

    JsonNode webhookAnswer(String namespace, Map<String, String> labels) {
        ObjectNode review = Serialization.jsonMapper().createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "probe").put("operation", "CREATE").put("namespace", namespace);
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.set("object", Serialization.jsonMapper().valueToTree(pod(namespace, "probe", labels)));
        String body = given().config(RestAssured.config().sslConfig(SSLConfig.sslConfig()
                        .trustStore(System.getProperty("slipwaytest.webhook.truststore"), "webhook-test")))
                .contentType("application/json").body(review.toString()).post(podWebhook.toString())
                .then().statusCode(200).extract().asString();
        return Serialization.unmarshal(body, JsonNode.class).path("response");
    }

    /** The SidecarSet's status; an empty one before the controller wrote any. */
    SidecarSetStatus statusOf(String name) {
        SidecarSet set = k.resources(SidecarSet.class).withName(name).get();
        return set == null || set.getStatus() == null ? new SidecarSetStatus() : set.getStatus();
    }

    static List<String> containerNames(Pod pod) {
        return pod.getSpec().getContainers().stream().map(Container::getName).toList();
    }

    static ContainerStatus status(Pod pod, String container) {
        return PodState.containerStatus(pod, container).orElseThrow();
    }


    @Test
    void aPodCreatedInTheClusterGetsItsSidecarsThroughTheAdmissionPathAndGoesIntoService() {
        SidecarSet set = create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: inject-mesh}
                spec:
                  selector: {matchLabels: {app: inject-web}}
                  containers:
                  - {name: proxy, image: registry.local/envoy:1}
                  - {name: log, image: registry.local/fluent:1, podInjectPolicy: AfterAppContainer}
                """);
        awaitWebhookInjects("inject", Map.of("app", "inject-web"));

        k.pods().inNamespace("inject").resource(pod("inject", "web-0", Map.of("app", "inject-web"))).create();
        k.pods().inNamespace("inject").resource(pod("inject", "other-0", Map.of("app", "other"))).create();

        Pod web = get("inject", "web-0");
        assertThat(containerNames(web)).containsExactly("proxy", "main", "log");
        assertThat(web.getSpec().getContainers().get(0).getEnv()).contains(new EnvVar("IS_INJECTED", "true", null));
        assertThat(web.getMetadata().getAnnotations()).containsEntry("kruise.io/sidecarset-injected-list", "inject-mesh");
        assertThat(PodSidecars.hash(web, "inject-mesh")).isEqualTo(SidecarRevision.of(set).hash());
        assertThat(InPlaceUpdate.hasReadinessGate(web)).isTrue();
        assertThat(containerNames(get("inject", "other-0"))).containsExactly("main");

        await().atMost(LONG).untilAsserted(() -> assertThat(PodState.ready(get("inject", "web-0"))).as("the controller opened its gate").isTrue());
        await().atMost(LONG).untilAsserted(() -> {
            SidecarSetStatus s = statusOf("inject-mesh");
            assertThat(s.matchedPods).isEqualTo(1);
            assertThat(s.readyPods).isEqualTo(1);
            assertThat(s.updatedPods).isEqualTo(1);
            assertThat(s.latestRevision).isEqualTo(SidecarRevision.of(set).name());
        });
        await().atMost(LONG).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(set.getMetadata().getUid()))
                .anySatisfy(t -> {
                    assertThat(t.getTransition()).isEqualTo("SidecarInjected");
                    assertThat(t.getPod()).isEqualTo("inject/web-0");
                    assertThat(t.getKind()).isEqualTo("SidecarSet");
                }));
    }

    @Test
    void theNamespaceSelectorChoosesTheNamespacesWhosePodsGetSidecars() {
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ns-prod").addToLabels("env", "prod").endMetadata().build()).create();
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ns-dev").addToLabels("env", "dev").endMetadata().build()).create();
        create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: prod-mesh}
                spec:
                  selector: {matchLabels: {app: ns-web}}
                  namespaceSelector: {matchLabels: {env: prod}}
                  containers: [{name: proxy, image: registry.local/envoy:1}]
                """);
        awaitWebhookInjects("ns-prod", Map.of("app", "ns-web"));

        k.pods().inNamespace("ns-prod").resource(pod("ns-prod", "web-0", Map.of("app", "ns-web"))).create();
        k.pods().inNamespace("ns-dev").resource(pod("ns-dev", "web-0", Map.of("app", "ns-web"))).create();

        assertThat(containerNames(get("ns-prod", "web-0"))).containsExactly("proxy", "main");
        assertThat(containerNames(get("ns-dev", "web-0"))).containsExactly("main");
    }

    @Test
    void twoSidecarSetsInjectingOneContainerNameRefuseThePodWithAClearMessage() {
        create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: clash-a}
                spec:
                  selector: {matchLabels: {app: clash}}
                  containers: [{name: proxy, image: registry.local/envoy:1}]
                """);
        create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: clash-b}
                spec:
                  selector: {matchExpressions: [{key: app, operator: In, values: [clash]}]}
                  containers: [{name: proxy, image: registry.local/linkerd:2}]
                """);
        await().atMost(LONG).until(() -> !webhookAnswer("clash", Map.of("app", "clash")).path("allowed").asBoolean()); // both in its cache

        assertThatThrownBy(() -> k.pods().inNamespace("clash").resource(pod("clash", "web-0", Map.of("app", "clash"))).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("admission webhook \"msidecarset.slipway.io\" denied the request")
                .hasMessageContaining("SidecarSets clash-a and clash-b, which both inject a container named \"proxy\"");
        assertThat(get("clash", "web-0")).isNull();
    }

    /** Pods of {@code namespace} not in service at once, at most, while watched. */
    static final class Unavailability implements Watcher<Pod>, AutoCloseable {
        final Map<String, Boolean> out = new ConcurrentHashMap<>();
        final AtomicInteger max = new AtomicInteger();
        Watch watch;

        final List<String> timeline = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void eventReceived(Action action, Pod pod) {
            out.put(pod.getMetadata().getName(), action != Action.DELETED && !PodState.ready(pod));
            int now = (int) out.values().stream().filter(b -> b).count();
            max.accumulateAndGet(now, Math::max);
            timeline.add(pod.getMetadata().getResourceVersion() + " " + pod.getMetadata().getName() + " ready=" + PodState.ready(pod)
                    + " gate=" + PodState.condition(pod, InPlaceUpdate.READINESS_GATE).map(c -> c.getStatus()).orElse("-")
                    + " image=" + pod.getSpec().getContainers().get(0).getImage() + " out=" + now);
        }

        @Override
        public void onClose(WatcherException cause) {
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    List<Pod> runningPods(String namespace, String app, int n) {
        for (int i = 0; i < n; i++) {
            k.pods().inNamespace(namespace).resource(pod(namespace, app + "-" + i, Map.of("app", app))).create();
        }
        await().atMost(LONG).untilAsserted(() -> assertThat(k.pods().inNamespace(namespace).list().getItems())
                .hasSize(n).allMatch(PodState::ready));
        return k.pods().inNamespace(namespace).list().getItems();
    }

    @Test
    void aSidecarImageChangeUpgradesMatchedPodsInPlaceWithinPartitionAndMaxUnavailable() {
        SidecarSet set = create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: up-mesh}
                spec:
                  selector: {matchLabels: {app: up-web}}
                  containers: [{name: proxy, image: registry.local/envoy:1}]
                  updateStrategy: {partition: 1, maxUnavailable: 1}
                """);
        awaitWebhookInjects("up", Map.of("app", "up-web"));
        Map<String, Pod> before = new ConcurrentHashMap<>();
        runningPods("up", "up-web", 4).forEach(p -> before.put(p.getMetadata().getName(), p));

        try (Unavailability unavailable = new Unavailability()) {
            unavailable.watch = k.pods().inNamespace("up").watch(unavailable);
            KruiseTestCluster.edit(k.resources(SidecarSet.class).withName("up-mesh"), s -> {
                s.getSpec().containers.get(0).setImage("registry.local/envoy:2");
                return s;
            });

            await().atMost(LONG).untilAsserted(() -> {
                SidecarSetStatus s = statusOf("up-mesh");
                assertThat(s.updatedPods).isEqualTo(3);
                assertThat(s.updatedReadyPods).isEqualTo(3);
                assertThat(s.conditions).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("RolloutFinished");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
            });
            assertThat(unavailable.max.get()).as("pods out of service at once (maxUnavailable 1): %s", String.join("\n", unavailable.timeline))
                    .isEqualTo(1);
        }
        List<Pod> after = k.pods().inNamespace("up").list().getItems();
        List<Pod> upgraded = after.stream().filter(p -> p.getSpec().getContainers().get(0).getImage().equals("registry.local/envoy:2")).toList();
        assertThat(upgraded).as("partition 1 keeps one pod on the old revision").hasSize(3);
        for (Pod p : upgraded) {
            Pod old = before.get(p.getMetadata().getName());
            assertThat(p.getMetadata().getUid()).as("upgraded in place").isEqualTo(old.getMetadata().getUid());
            assertThat(status(p, "proxy").getRestartCount()).isEqualTo(status(old, "proxy").getRestartCount() + 1);
            assertThat(status(p, "proxy").getImageID()).isNotEqualTo(status(old, "proxy").getImageID());
            assertThat(status(p, "main").getContainerID()).as("the app container kept running").isEqualTo(status(old, "main").getContainerID());
            assertThat(status(p, "main").getRestartCount()).isEqualTo(status(old, "main").getRestartCount());
            assertThat(PodState.ready(p)).isTrue();
        }
        String latest = SidecarRevision.of(k.resources(SidecarSet.class).withName("up-mesh").get()).name();
        await().atMost(LONG).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(set.getMetadata().getUid()))
                .filteredOn(t -> t.getTransition().equals("SidecarUpgraded")).hasSize(3)
                .allSatisfy(t -> assertThat(t.getRevision()).isEqualTo(latest)));
    }

    /**
     * Records, per pod, the gate statuses seen and the old sidecar's container id at the moment the new one first ran
     * its image ready: a hot upgrade must never take the pod out of service and must keep the old sidecar running
     * until the new one is up.
     */
    static final class HandOver implements Watcher<Pod>, AutoCloseable {
        final String newImage;
        final Map<String, String> oldContainerWhenNewRan = new ConcurrentHashMap<>();
        final Map<String, java.util.Set<String>> gates = new ConcurrentHashMap<>();
        Watch watch;

        HandOver(String newImage) {
            this.newImage = newImage;
        }

        @Override
        public void eventReceived(Action action, Pod pod) {
            String name = pod.getMetadata().getName();
            PodState.condition(pod, InPlaceUpdate.READINESS_GATE)
                    .ifPresent(c -> gates.computeIfAbsent(name, n -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(c.getStatus()));
            String working = HotUpgrade.working(pod, "proxy");
            if (working == null) {
                return;
            }
            var now = PodState.containerStatus(pod, working).orElse(null);
            var old = PodState.containerStatus(pod, HotUpgrade.idle("proxy", working)).orElse(null);
            if (now != null && old != null && newImage.equals(now.getImage()) && Boolean.TRUE.equals(now.getReady())) {
                oldContainerWhenNewRan.putIfAbsent(name, old.getContainerID());
            }
        }

        @Override
        public void onClose(WatcherException cause) {
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    static String image(Pod pod, String container) {
        return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container)).findFirst().orElseThrow().getImage();
    }

    @Test
    void aHotUpgradeHandsOverToTheIdleContainerWhileTheOldSidecarRunsThenResetsTheOldOne() {
        create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: hot-mesh}
                spec:
                  selector: {matchLabels: {app: hot-web}}
                  containers:
                  - name: proxy
                    image: registry.local/envoy:1
                    upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: registry.local/empty:1}
                  updateStrategy: {maxUnavailable: 2}
                """);
        awaitWebhookInjects("hot", Map.of("app", "hot-web"));
        Map<String, Pod> before = new ConcurrentHashMap<>();
        runningPods("hot", "hot-web", 2).forEach(p -> before.put(p.getMetadata().getName(), p));
        for (Pod p : before.values()) {
            assertThat(containerNames(p)).containsExactly("proxy-1", "proxy-2", "main");
            assertThat(HotUpgrade.working(p, "proxy")).isEqualTo("proxy-1");
            assertThat(status(p, "proxy-2").getImage()).isEqualTo("registry.local/empty:1");
        }

        try (HandOver handOver = new HandOver("registry.local/envoy:2")) {
            handOver.watch = k.pods().inNamespace("hot").watch(handOver);
            KruiseTestCluster.edit(k.resources(SidecarSet.class).withName("hot-mesh"), s -> {
                s.getSpec().containers.get(0).setImage("registry.local/envoy:2");
                return s;
            });

            await().atMost(LONG).untilAsserted(() -> {
                assertThat(k.pods().inNamespace("hot").list().getItems()).hasSize(2).allSatisfy(p -> {
                    assertThat(HotUpgrade.working(p, "proxy")).isEqualTo("proxy-2");
                    assertThat(image(p, "proxy-1")).as("the old sidecar went back to the empty image").isEqualTo("registry.local/empty:1");
                    assertThat(status(p, "proxy-1").getImage()).isEqualTo("registry.local/empty:1");
                });
                SidecarSetStatus s = statusOf("hot-mesh");
                assertThat(s.updatedPods).isEqualTo(2);
                assertThat(s.updatedReadyPods).isEqualTo(2);
                assertThat(s.conditions).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("RolloutFinished");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
            });
            for (Pod old : before.values()) {
                String name = old.getMetadata().getName();
                assertThat(handOver.gates.get(name)).as("%s was never taken out of service", name).doesNotContain("False");
                assertThat(handOver.oldContainerWhenNewRan.get(name)).as("%s's old sidecar ran until the new one was up", name)
                        .isEqualTo(status(old, "proxy-1").getContainerID());
                Pod now = get("hot", name);
                assertThat(now.getMetadata().getUid()).isEqualTo(old.getMetadata().getUid());
                assertThat(status(now, "proxy-2").getImage()).isEqualTo("registry.local/envoy:2");
                assertThat(status(now, "main").getContainerID()).isEqualTo(status(old, "main").getContainerID());
                assertThat(now.getMetadata().getAnnotations()).containsEntry("version.sidecarset.kruise.io/proxy-1", "0")
                        .containsEntry("versionalt.sidecarset.kruise.io/proxy-2", "0");
                assertThat(Long.parseLong(now.getMetadata().getAnnotations().get("version.sidecarset.kruise.io/proxy-2")))
                        .as("the new sidecar's version is above the old one's, so it knows to take over").isGreaterThan(1);
            }
        }

        KruiseTestCluster.edit(k.resources(SidecarSet.class).withName("hot-mesh"), s -> {
            s.getSpec().containers.get(0).setImage("registry.local/envoy:3");
            return s;
        });
        await().atMost(LONG).untilAsserted(() -> {
            assertThat(k.pods().inNamespace("hot").list().getItems()).hasSize(2).allSatisfy(p -> {
                assertThat(HotUpgrade.working(p, "proxy")).as("the next upgrade hands back to the first container").isEqualTo("proxy-1");
                assertThat(image(p, "proxy-1")).isEqualTo("registry.local/envoy:3");
                assertThat(image(p, "proxy-2")).isEqualTo("registry.local/empty:1");
            });
            assertThat(statusOf("hot-mesh").updatedReadyPods).isEqualTo(2);
        });
    }

    @Test
    void aPausedUpgradeLeavesThePodsAloneUntilResumed() {
        create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: paused-mesh}
                spec:
                  selector: {matchLabels: {app: paused-web}}
                  containers: [{name: proxy, image: registry.local/envoy:1}]
                  updateStrategy: {paused: true}
                """);
        awaitWebhookInjects("paused", Map.of("app", "paused-web"));
        runningPods("paused", "paused-web", 2);

        KruiseTestCluster.edit(k.resources(SidecarSet.class).withName("paused-mesh"), s -> {
            s.getSpec().containers.get(0).setImage("registry.local/envoy:2");
            return s;
        });

        await().atMost(LONG).untilAsserted(() -> assertThat(statusOf("paused-mesh").conditions)
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Paused");
                    assertThat(c.getStatus()).isEqualTo("True");
                }));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> k.pods().inNamespace("paused").list().getItems().stream()
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("registry.local/envoy:1")));

        KruiseTestCluster.edit(k.resources(SidecarSet.class).withName("paused-mesh"), s -> {
            s.getSpec().updateStrategy.paused = false;
            return s;
        });
        await().atMost(LONG).untilAsserted(() -> assertThat(k.pods().inNamespace("paused").list().getItems())
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("registry.local/envoy:2") && PodState.ready(p)));
    }

    @Test
    void aChangeBeyondImagesIsReportedWithThePodsAndFieldsInsteadOfNeverRollingOut() {
        SidecarSet set = create("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: env-mesh}
                spec:
                  selector: {matchLabels: {app: env-web}}
                  containers: [{name: proxy, image: registry.local/envoy:1}]
                """);
        awaitWebhookInjects("env", Map.of("app", "env-web"));
        runningPods("env", "env-web", 2);
        await().atMost(LONG).untilAsserted(() -> assertThat(statusOf("env-mesh").updatedReadyPods)
                .isEqualTo(2));

        KruiseTestCluster.edit(k.resources(SidecarSet.class).withName("env-mesh"), s -> {
            s.getSpec().containers.get(0).setEnv(List.of(new EnvVar("MODE", "strict", null)));
            return s;
        });

        await().atMost(LONG).untilAsserted(() -> assertThat(statusOf("env-mesh").conditions)
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("InPlaceUpdateBlocked");
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getMessage()).contains("env/env-web-0", "env/env-web-1", "spec.containers[proxy].env");
                }));
        await().atMost(LONG).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(set.getMetadata().getUid()))
                .anySatisfy(t -> {
                    assertThat(t.getTransition()).isEqualTo("SidecarUpgradeBlocked");
                    assertThat(t.getReason()).contains("env/env-web-0", "env/env-web-1", "spec.containers[proxy].env");
                }));
        assertThat(k.pods().inNamespace("env").list().getItems()).allSatisfy(p ->
                assertThat(p.getSpec().getContainers().get(0).getEnv()).doesNotContain(new EnvVar("MODE", "strict", null)));

    }
}
