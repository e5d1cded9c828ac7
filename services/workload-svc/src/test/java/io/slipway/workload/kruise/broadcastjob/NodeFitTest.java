package io.slipway.workload.kruise.broadcastjob;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class NodeFitTest {
    static Node node(String yaml) {
        return Serialization.unmarshal("""
                apiVersion: v1
                kind: Node
                status: {conditions: [{type: Ready, status: "True"}]}
                """ + yaml, Node.class);
    }

    static PodSpec spec(String yaml) {
        return Serialization.unmarshal("containers: [{name: main, image: busybox}]\n" + yaml, PodSpec.class);
    }

    static java.util.Optional<String> newPod(PodSpec spec, Node node) {
        return NodeFit.forNewPod(spec, node).map(NodeFit.Misfit::message);
    }

    static java.util.Optional<String> existingPod(PodSpec spec, Node node) {
        return NodeFit.forPod(spec, node).map(NodeFit.Misfit::message);
    }

    @Test
    void aPlainPodFitsAReadyNodeWithoutTaints() {
        assertThat(newPod(spec(""), node("metadata: {name: n1}"))).isEmpty();
    }

    @Test
    void aNewPodNeedsTheNodeReadyButAPodAlreadyThereStays() {
        Node notReady = node("metadata: {name: n1}").edit().editStatus().withConditions().addNewCondition().withType("Ready")
                .withStatus("False").endCondition().endStatus().build();
        assertThat(newPod(spec(""), notReady)).contains("node n1 is not Ready");
        assertThat(existingPod(spec(""), notReady)).isEmpty();
    }

    @Test
    void theNodeSelectorMustMatchEveryLabel() {
        Node node = node("metadata: {name: n1, labels: {zone: a, disk: ssd}}");
        assertThat(newPod(spec("nodeSelector: {zone: a}"), node)).isEmpty();
        assertThat(newPod(spec("nodeSelector: {zone: a, disk: hdd}"), node)).get().asString()
                .contains("does not match nodeSelector disk=hdd");
    }

    @Test
    void requiredNodeAffinityTermsAreOredAndTheirExpressionsAnded() {
        String affinity = """
                affinity:
                  nodeAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                      nodeSelectorTerms:
                      - matchExpressions: [{key: zone, operator: In, values: [a, b]}, {key: gpu, operator: DoesNotExist}]
                      - matchExpressions: [{key: cores, operator: Gt, values: ["16"]}]
                """;
        assertThat(newPod(spec(affinity), node("metadata: {name: n1, labels: {zone: b}}"))).isEmpty();
        assertThat(newPod(spec(affinity), node("metadata: {name: n1, labels: {zone: b, gpu: t4}}"))).isPresent();
        assertThat(newPod(spec(affinity), node("metadata: {name: n1, labels: {zone: c, cores: \"32\"}}"))).isEmpty();
        assertThat(newPod(spec(affinity), node("metadata: {name: n1, labels: {zone: c, cores: \"8\"}}"))).get().asString()
                .contains("required node affinity");
    }

    @Test
    void matchFieldsNameTheNodeAndAnEmptyTermListMatchesNoNode() {
        String byName = """
                affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
                  {matchFields: [{key: metadata.name, operator: NotIn, values: [n2]}]}]}}}
                """;
        assertThat(newPod(spec(byName), node("metadata: {name: n1}"))).isEmpty();
        assertThat(newPod(spec(byName), node("metadata: {name: n2}"))).isPresent();
        String none = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}";
        assertThat(newPod(spec(none), node("metadata: {name: n1}"))).isPresent();
    }

    @Test
    void noScheduleAndNoExecuteTaintsNeedAToleration() {
        Node tainted = node("""
                metadata: {name: n1}
                spec: {taints: [{key: dedicated, value: infra, effect: NoSchedule}, {key: slow, effect: PreferNoSchedule}]}
                """);
        assertThat(newPod(spec(""), tainted)).get().asString()
                .isEqualTo("node n1 has taint dedicated=infra:NoSchedule that the pod does not tolerate");
        assertThat(newPod(spec("tolerations: [{key: dedicated, value: infra, effect: NoSchedule}]"), tainted)).isEmpty();
        assertThat(newPod(spec("tolerations: [{key: dedicated, operator: Exists}]"), tainted)).isEmpty();
        assertThat(newPod(spec("tolerations: [{operator: Exists}]"), tainted)).isEmpty();
        assertThat(newPod(spec("tolerations: [{key: dedicated, value: web}]"), tainted)).isPresent();
        assertThat(newPod(spec("tolerations: [{key: dedicated, operator: Exists, effect: NoExecute}]"), tainted)).isPresent();
        Node noExecute = node("metadata: {name: n1}\nspec: {taints: [{key: evict, effect: NoExecute}]}");
        assertThat(newPod(spec(""), noExecute)).isPresent();
    }

    @Test
    void aCordonedNodeTakesOnlyPodsThatTolerateTheUnschedulableTaint() {
        Node cordoned = node("metadata: {name: n1}\nspec: {unschedulable: true}");
        assertThat(newPod(spec(""), cordoned)).contains("node n1 is unschedulable (cordoned)");
        assertThat(newPod(spec("tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]"),
                cordoned)).isEmpty();
    }

    @Test
    void aPodBoundElsewhereDoesNotFit() {
        assertThat(existingPod(spec("nodeName: n2"), node("metadata: {name: n1}"))).contains("the pod names node n2");
    }
}
