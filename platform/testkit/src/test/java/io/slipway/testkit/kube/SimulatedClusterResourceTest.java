package io.slipway.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Quarkus test resource sets up the simulation from init args, for tests that reach the cluster only by kubeconfig. */
class SimulatedClusterResourceTest {
    private static KubernetesClient clientOf(String cluster) {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(cluster, SimulatedClusterResource.kubeconfig(cluster).toFile())).build();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec().build();
    }

    @Test
    void initArgsStartTheKubeletOnLabelledAndTaintedNodes() {
        SimulatedClusterResource resource = new SimulatedClusterResource();
        resource.init(Map.of("cluster", "resource-test", "kubelet", "true", "nodes", "2", "start-millis", "0", "ready-millis", "0",
                "node.gpu-1.labels", "gpu=true,zone=a", "node.gpu-1.taints", "dedicated=gpu:NoSchedule,maintenance:PreferNoSchedule",
                "node.node-2.labels", "zone=b", "some.config.key", "value"));
        Map<String, String> config = resource.start();
        try (KubernetesClient client = clientOf("resource-test")) {
            assertThat(config).containsEntry("some.config.key", "value").doesNotContainKeys("kubelet", "nodes", "node.gpu-1.labels");
            assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                    .containsExactlyInAnyOrder("node-1", "node-2", "gpu-1");
            Node gpu = client.nodes().withName("gpu-1").get();
            assertThat(gpu.getMetadata().getLabels()).containsEntry("gpu", "true").containsEntry("zone", "a");
            assertThat(gpu.getSpec().getTaints()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                    .containsExactly("dedicated=gpu:NoSchedule", "maintenance=null:PreferNoSchedule");
            assertThat(client.nodes().withName("node-2").get().getMetadata().getLabels()).containsEntry("zone", "b");

            client.pods().inNamespace("default").resource(pod("web-0")).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> "Running".equals(client.pods().inNamespace("default").withName("web-0")
                    .get().getStatus().getPhase()));
            assertThat(client.pods().inNamespace("default").withName("web-0").get().getSpec().getNodeName()).isIn("node-1", "node-2");
        } finally {
            resource.stop();
        }
    }

    @Test
    void withoutTheKubeletArgTheClusterRunsNoPods() {
        SimulatedClusterResource resource = new SimulatedClusterResource();
        resource.init(Map.of("cluster", "bare-test"));
        resource.start();
        try (KubernetesClient client = clientOf("bare-test")) {
            assertThat(client.nodes().list().getItems()).isEmpty();
            Pod created = client.pods().inNamespace("default").resource(pod("web-0")).create();
            assertThat(created.getSpec().getNodeName()).isNull();
            assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
        } finally {
            resource.stop();
        }
        assertThatThrownBy(() -> new SimulatedClusterResource().init(Map.of("nodes", "3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kubelet=true");
    }
}
