package io.slipway.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Simulated nodes are Ready Node objects as a kubelet registers them; a removed node's pods go with it. */
class SimulatedNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private SimulatedCluster cluster;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start(SimulationOptions.defaults().withNodes(0));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    @Test
    void anAddedNodeIsReadyWithItsLabelsTaintsAndCapacity() {
        cluster.addNode("gpu-1", Map.of("gpu", "true"), List.of(new TaintBuilder().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").build()));
        Node node = cluster.client().nodes().withName("gpu-1").get();
        assertThat(ready(node)).isTrue();
        assertThat(node.getStatus().getConditions()).extracting(NodeCondition::getType).contains("MemoryPressure", "DiskPressure", "PIDPressure");
        assertThat(node.getMetadata().getLabels()).containsEntry("gpu", "true").containsEntry("kubernetes.io/hostname", "gpu-1")
                .containsEntry("kubernetes.io/os", "linux");
        assertThat(node.getSpec().getTaints()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods");
        assertThat(node.getStatus().getAllocatable().get("pods")).isEqualTo(new Quantity("110"));
        assertThat(node.getStatus().getAddresses()).anySatisfy(a -> assertThat(a.getType()).isEqualTo("InternalIP"));
        assertThatThrownBy(() -> cluster.addNode("gpu-1", Map.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNodeCreatedThroughTheApiIsRegisteredByTheKubelet() {
        cluster.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("api-1").withLabels(Map.of("pool", "x")).endMetadata()
                .build()).create();
        Node node = await().atMost(WAIT).until(() -> cluster.client().nodes().withName("api-1").get(), SimulatedNodesTest::ready);
        assertThat(node.getMetadata().getLabels()).containsEntry("pool", "x").containsEntry("kubernetes.io/hostname", "api-1");
        assertThat(node.getSpec().getPodCIDR()).isNotEmpty();
    }

    @Test
    void aRemovedNodesPodsFailAndAreDeleted() {
        cluster.addNode("node-1", Map.of(), List.of());
        cluster.addNode("node-2", Map.of(), List.of());
        for (String node : List.of("node-1", "node-2")) {
            cluster.client().pods().inNamespace("team-a").resource(new PodBuilder().withNewMetadata().withName("on-" + node).endMetadata()
                    .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("registry.local/app:1").endContainer()
                    .endSpec().build()).create();
        }
        await().atMost(WAIT).until(() -> "Running".equals(cluster.client().pods().inNamespace("team-a").withName("on-node-1").get()
                .getStatus().getPhase()));
        cluster.removeNode("node-1");
        assertThat(cluster.client().nodes().withName("node-1").get()).isNull();
        await().atMost(WAIT).until(() -> cluster.client().pods().inNamespace("team-a").withName("on-node-1").get() == null);
        Pod other = cluster.client().pods().inNamespace("team-a").withName("on-node-2").get();
        assertThat(other.getMetadata().getDeletionTimestamp()).isNull();
    }
}
