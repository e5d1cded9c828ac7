package io.slipway.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated scheduler binds pods where the default scheduler's filters let them go, spreading them out. */
class SimulatedSchedulerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NS = "team-a";

    private SimulatedCluster cluster;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start(SimulationOptions.defaults().withNodes(0));
        cluster.addNode("zone-a-1", Map.of("zone", "a", "cores", "8"), List.of());
        cluster.addNode("zone-b-1", Map.of("zone", "b", "cores", "32"), List.of());
        cluster.addNode("gpu-1", Map.of("zone", "a", "gpu", "true", "cores", "64"), List.of(taint("dedicated", "gpu", "NoSchedule")));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    private static NodeSelectorRequirement expression(String key, String operator, String... values) {
        return new NodeSelectorRequirementBuilder().withKey(key).withOperator(operator).withValues(values).build();
    }

    private String scheduledNode(String name, Function<PodBuilder, PodBuilder> shape) {
        cluster.client().pods().inNamespace(NS).resource(shape.apply(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec()).build()).create();
        return await().atMost(WAIT).until(() -> cluster.client().pods().inNamespace(NS).withName(name).get().getSpec().getNodeName(),
                n -> n != null);
    }

    private String withAffinity(String name, NodeSelectorRequirement... expressions) {
        return scheduledNode(name, p -> p.editSpec().withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().withMatchExpressions(expressions).endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec());
    }

    @Test
    void aPodGoesOnlyWhereItsNodeSelectorAndRequiredAffinityAllow() {
        assertThat(scheduledNode("by-selector", p -> p.editSpec().withNodeSelector(Map.of("zone", "b")).endSpec())).isEqualTo("zone-b-1");
        assertThat(withAffinity("in", expression("zone", "In", "b", "c"))).isEqualTo("zone-b-1");
        assertThat(withAffinity("not-in", expression("zone", "NotIn", "b"))).isEqualTo("zone-a-1");
        assertThat(withAffinity("exists", expression("zone", "Exists"), expression("cores", "Gt", "16"))).isEqualTo("zone-b-1");
        assertThat(withAffinity("does-not-exist", expression("gpu", "DoesNotExist"), expression("cores", "Lt", "16"))).isEqualTo("zone-a-1");
        String byName = scheduledNode("by-field", p -> p.editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchField().withKey("metadata.name").withOperator("In").withValues("zone-b-1").endMatchField().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec());
        assertThat(byName).isEqualTo("zone-b-1");
    }

    @Test
    void aTaintedNodeTakesOnlyPodsThatTolerateItsTaint() {
        NodeSelectorRequirement gpu = expression("gpu", "In", "true");
        assertThat(withToleration("equal", gpu, new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("gpu")
                .withEffect("NoSchedule").build())).isEqualTo("gpu-1");
        assertThat(withToleration("exists", gpu, new TolerationBuilder().withKey("dedicated").withOperator("Exists").build())).isEqualTo("gpu-1");
        assertThat(withToleration("everything", gpu, new TolerationBuilder().withOperator("Exists").build())).isEqualTo("gpu-1");

        unschedulable("wrong-value", p -> p.editSpec().withTolerations(new TolerationBuilder().withKey("dedicated").withValue("db")
                .withEffect("NoSchedule").build()).withNodeSelector(Map.of("gpu", "true")).endSpec());
        unschedulable("wrong-effect", p -> p.editSpec().withTolerations(new TolerationBuilder().withKey("dedicated").withOperator("Exists")
                .withEffect("NoExecute").build()).withNodeSelector(Map.of("gpu", "true")).endSpec());
    }

    private String withToleration(String name, NodeSelectorRequirement where, Toleration toleration) {
        return scheduledNode(name, p -> p.editSpec().withTolerations(toleration).withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().withMatchExpressions(where).endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec());
    }

    private PodCondition unschedulable(String name, Function<PodBuilder, PodBuilder> shape) {
        cluster.client().pods().inNamespace(NS).resource(shape.apply(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec()).build()).create();
        Pod pod = await().atMost(WAIT).until(() -> cluster.client().pods().inNamespace(NS).withName(name).get(),
                p -> p.getStatus().getConditions() != null && !p.getStatus().getConditions().isEmpty());
        assertThat(pod.getSpec().getNodeName()).isNull();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        PodCondition scheduled = pod.getStatus().getConditions().get(0);
        assertThat(scheduled.getType()).isEqualTo("PodScheduled");
        assertThat(scheduled.getStatus()).isEqualTo("False");
        assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
        return scheduled;
    }

    @Test
    void aPodNoNodeTakesStaysPendingWithTheSchedulersMessageUntilANodeFits() {
        PodCondition condition = unschedulable("web-0", p -> p.editSpec().withNodeSelector(Map.of("zone", "c")).endSpec());
        assertThat(condition.getMessage()).isEqualTo("0/3 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, "
                + "1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");

        cluster.addNode("zone-c-1", Map.of("zone", "c"), List.of());
        String node = await().atMost(WAIT).until(() -> cluster.client().pods().inNamespace(NS).withName("web-0").get().getSpec().getNodeName(),
                n -> n != null);
        assertThat(node).isEqualTo("zone-c-1");
        Pod scheduled = cluster.client().pods().inNamespace(NS).withName("web-0").get();
        assertThat(scheduled.getStatus().getConditions()).filteredOn(c -> c.getType().equals("PodScheduled"))
                .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
    }

    @Test
    void aPodThatNamesItsNodeIsLeftAlone() {
        cluster.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("pinned").endMetadata()
                .withNewSpec().withNodeName("elsewhere").addNewContainer().withName("app").withImage("registry.local/app:1").endContainer()
                .endSpec().build()).create();
        cluster.client().pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("marker").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec().build()).create();
        await().atMost(WAIT).until(() -> cluster.client().pods().inNamespace(NS).withName("marker").get().getSpec().getNodeName() != null);
        Pod pinned = cluster.client().pods().inNamespace(NS).withName("pinned").get();
        assertThat(pinned.getSpec().getNodeName()).isEqualTo("elsewhere");
        assertThat(pinned.getStatus().getConditions()).isEmpty();
    }

    @Test
    void podsAreSpreadOverTheNodesThatFitFewestPodsFirst() {
        List<String> nodes = IntStream.range(0, 8).mapToObj(i -> scheduledNode("web-" + i, p -> p)).toList();
        Map<String, Long> perNode = nodes.stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
        assertThat(perNode).containsOnlyKeys("zone-a-1", "zone-b-1").containsValues(4L, 4L);
    }
}
