package io.slipway.workload.kruise.statefulset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.workload.KruiseTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "slipway.workload.controllers", value = "true")})
class AdvancedStatefulSetSpikeTest {
    @Test
    void createsPods() {
        KubernetesClient k = KruiseTestCluster.client();
        AdvancedStatefulSet set = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: web, namespace: default}
                spec:
                  replicas: 3
                  podManagementPolicy: Parallel
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: main, image: registry.local/web:1}]
                """, AdvancedStatefulSet.class);
        k.resources(AdvancedStatefulSet.class).inNamespace("default").resource(set).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(k.pods().inNamespace("default").list().getItems()).hasSize(3));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var s = k.resources(AdvancedStatefulSet.class).inNamespace("default").withName("web").get().getStatus();
            assertThat(s).isNotNull();
            assertThat(s.replicas).isEqualTo(3);
        });
    }
}
