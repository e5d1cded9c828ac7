package io.slipway.workload.operator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.events.workload.WorkloadTransitioned;
import io.slipway.security.Role;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.component.Component;
import io.slipway.workload.component.ComponentRender;
import io.slipway.workload.component.Templates;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One workload-svc manages two clusters: the home one (the Quarkus Kubernetes Client's, named "default") and "east",
 * reached through a kubeconfig context ({@code slipway.workload.clusters.east}). The same Component in both is
 * rendered with each cluster's template and run by each cluster's own controllers, on each cluster's pods; its
 * transitions name its cluster; each cluster has its own leader Lease; the REST views read the cluster the path names.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "kubelet", value = "true"), @ResourceArg(name = "nodes", value = "2"),
        @ResourceArg(name = "start-millis", value = "100"), @ResourceArg(name = "ready-millis", value = "100"),
        @ResourceArg(name = "termination-millis", value = "100"),
        @ResourceArg(name = "slipway.workload.controllers", value = "true")})
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "cluster", value = "east"),
        @ResourceArg(name = "config-prefix", value = "slipway.workload.clusters"), @ResourceArg(name = "kubelet", value = "true"),
        @ResourceArg(name = "nodes", value = "1"), @ResourceArg(name = "start-millis", value = "100"),
        @ResourceArg(name = "ready-millis", value = "100"), @ResourceArg(name = "termination-millis", value = "100")})
class MultiClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "multi";

    private static KubernetesClient home() {
        return KruiseTestCluster.shared();
    }

    private static KubernetesClient east() {
        return KruiseTestCluster.shared("east");
    }

    private static Resource<Component> apply(KubernetesClient k, String image) {
        String yaml = """
                apiVersion: component.slipway.io/v1beta1
                kind: Component
                metadata: {name: shop}
                spec:
                  workloadType: AdvancedStatefulSet
                  developLanguage: go
                  runType: server
                  image: %s
                  port: 8080
                  replicas: 2
                """.formatted(image);
        Component c = k.resources(Component.class).inNamespace(NS).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
        k.resource(c).inNamespace(NS).create();
        return k.resources(Component.class).inNamespace(NS).withName("shop");
    }

    private static Map<String, Pod> pods(KubernetesClient k) {
        return k.pods().inNamespace(NS).withLabel(ComponentRender.NAME_LABEL, "shop").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
    }

    private static List<EnvVar> env(KubernetesClient k) {
        return k.resources(AdvancedStatefulSet.class).inNamespace(NS).withName("shop").get().getSpec().template.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(ComponentRender.CONTAINER)).findFirst().orElseThrow().getEnv();
    }

    private static String phase(Resource<Component> c) {
        Component now = c.get();
        return now == null || now.getStatus() == null ? null : now.getStatus().phase;
    }

    @Test
    void oneInstanceRunsTheSameComponentInEachClusterWithThatClustersTemplateAndControllers() {
        // east's cluster template: what differs there (a real one would set a registry mirror, a zone, limits)
        east().configMaps().inNamespace("slipway").resource(new ConfigMapBuilder().withNewMetadata().withName("cluster-east")
                .addToLabels(Templates.KIND_LABEL, "cluster").addToLabels(Templates.NAME_LABEL, "east").endMetadata()
                .addToData(Templates.DATA_KEY, """
                        container:
                          env:
                            - {name: REGION, value: east}
                        """).build()).create();
        Resource<Component> onEast = apply(east(), "registry.local/shop:east");
        Resource<Component> onHome = apply(home(), "registry.local/shop:home");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(phase(onEast)).isEqualTo("Ready");
            assertThat(phase(onHome)).isEqualTo("Ready");
            assertThat(pods(east()).values()).extracting(p -> p.getSpec().getContainers().get(0).getImage())
                    .containsOnly("registry.local/shop:east").hasSize(2);
            assertThat(pods(home()).values()).extracting(p -> p.getSpec().getContainers().get(0).getImage())
                    .containsOnly("registry.local/shop:home").hasSize(2);
        });
        // each rendered with its own cluster's template
        assertThat(env(east())).extracting(EnvVar::getName, EnvVar::getValue).contains(org.assertj.core.groups.Tuple.tuple("REGION", "east"));
        assertThat(env(home())).extracting(EnvVar::getName).doesNotContain("REGION");
        // east's pods run on east's node, made by the Advanced StatefulSet controller of east
        assertThat(pods(east()).values()).extracting(p -> p.getSpec().getNodeName()).containsOnly("node-1");

        // transitions name the cluster the workload is in
        String eastUid = onEast.get().getMetadata().getUid();
        String homeUid = onHome.get().getMetadata().getUid();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(KruiseTestCluster.transitions(eastUid)).isNotEmpty().extracting(WorkloadTransitioned::getCluster).containsOnly("east");
            assertThat(KruiseTestCluster.transitions(homeUid)).isNotEmpty().extracting(WorkloadTransitioned::getCluster).containsOnly("default");
        });

        // each cluster elects its leader in itself: this instance holds both Leases
        Lease eastLease = lease(east());
        Lease homeLease = lease(home());
        assertThat(eastLease.getSpec().getHolderIdentity()).isNotBlank().isEqualTo(homeLease.getSpec().getHolderIdentity());

        // each cluster's controllers are measured apart
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("operator_sdk_reconciliations_executions_component"))).anySatisfy(
                l -> assertThat(l).contains("cluster=\"east\"")).anySatisfy(l -> assertThat(l).contains("cluster=\"default\""));

        // the REST views read the cluster the path names
        List<String> eastPodUids = pods(east()).values().stream().map(p -> p.getMetadata().getUid()).sorted().toList();
        List<String> homePodUids = pods(home()).values().stream().map(p -> p.getMetadata().getUid()).sorted().toList();
        assertThat(eastPodUids).doesNotContainAnyElementsOf(homePodUids);
        List<String> shown = given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/components/east/" + NS + "/shop")
                .then().statusCode(200).extract().jsonPath().getList("pods.uid");
        assertThat(shown).containsExactlyInAnyOrderElementsOf(eastPodUids);
        shown = given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/components/default/" + NS + "/shop")
                .then().statusCode(200).extract().jsonPath().getList("pods.uid");
        assertThat(shown).containsExactlyInAnyOrderElementsOf(homePodUids);
        shown = given().header("Authorization", TestTokens.bearer(Role.viewer)).queryParam("cluster", "east")
                .get("/api/v1/workloads/" + NS + "/statefulsets/shop").then().statusCode(200).extract().jsonPath().getList("pods.uid");
        assertThat(shown).containsExactlyInAnyOrderElementsOf(eastPodUids);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).queryParam("cluster", "west")
                .get("/api/v1/workloads/" + NS + "/statefulsets/shop").then().statusCode(404)
                .body("error", org.hamcrest.Matchers.containsString("this workload-svc manages default, east"));

        // a change in one cluster leaves the other alone
        KruiseTestCluster.edit(onEast, c -> {
            c.getSpec().image = "registry.local/shop:east-2";
            return c;
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods(east()).values()).extracting(p -> p.getSpec().getContainers().get(0).getImage())
                .containsOnly("registry.local/shop:east-2").hasSize(2));
        assertThat(pods(home()).values()).extracting(p -> p.getSpec().getContainers().get(0).getImage()).containsOnly("registry.local/shop:home");
        assertThat(pods(home()).values().stream().map(p -> p.getMetadata().getUid()).sorted().toList()).isEqualTo(homePodUids);
        onEast.delete();
        onHome.delete();
    }

    private static Lease lease(KubernetesClient k) {
        return k.leases().inAnyNamespace().list().getItems().stream().filter(l -> l.getMetadata().getName().equals("slipway-workload-svc"))
                .findFirst().orElseThrow(() -> new AssertionError("no Lease slipway-workload-svc in " + k.getMasterUrl()));
    }
}
