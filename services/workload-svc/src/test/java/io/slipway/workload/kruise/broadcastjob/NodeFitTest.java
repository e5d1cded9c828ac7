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

    @Test
    void aPlainPodFitsAReadyNodeWithoutTaints() {
        assertThat(NodeFit.forNewPod(spec(""), node("metadata: {name: n1}"))).isEmpty();
    }

    @Test
    void aNewPodNeedsTheNodeReadyButAPodAlreadyThereStays() {
        Node notReady = node("metadata: {name: n1}").edit().editStatus().withConditions().addNewCondition().withType("Ready")
                .withStatus("False").endCondition().endStatus().build();
        assertThat(NodeFit.forNewPod(spec(""), notReady)).contains("node n1 is not Ready");
        assertThat(NodeFit.forPod(spec(""), notReady)).isEmpty();
    }

    @Test
    void theNodeSelectorMustMatchEveryLabel() {
        Node node = node("metadata: {name: n1, labels: {zone: a, disk: ssd}}");
        assertThat(NodeFit.forNewPod(spec("nodeSelector: {zone: a}"), node)).isEmpty();
        assertThat(NodeFit.forNewPod(spec("nodeSelector: {zone: a, disk: hdd}"), node)).get().asString()
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
        assertThat(NodeFit.forNewPod(spec(affinity), node("metadata: {name: n1, labels: {zone: b}}"))).isEmpty();
        assertThat(NodeFit.forNewPod(spec(affinity), node("metadata: {name: n1, labels: {zone: b, gpu: t4}}"))).isPresent();
        assertThat(NodeFit.forNewPod(spec(affinity), node("metadata: {name: n1, labels: {zone: c, cores: \"32\"}}"))).isEmpty();
        assertThat(NodeFit.forNewPod(spec(affinity), node("metadata: {name: n1, labels: {zone: c, cores: \"8\"}}"))).get().asString()
                .contains("required node affinity");
    }

    @Test
    void matchFieldsNameTheNodeAndAnEmptyTermListMatchesNoNode() {
        String byName = """
                affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
                  {matchFields: [{key: metadata.name, operator: NotIn, values: [n2]}]}]}}}
                """;
        assertThat(NodeFit.forNewPod(spec(byName), node("metadata: {name: n1}"))).isEmpty();
        assertThat(NodeFit.forNewPod(spec(byName), node("metadata: {name: n2}"))).isPresent();
        String none = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}";
        assertThat(NodeFit.forNewPod(spec(none), node("metadata: {name: n1}"))).isPresent();
    }

    @Test
    void noScheduleAndNoExecuteTaintsNeedAToleration() {
        Node tainted = node("""
                metadata: {name: n1}
                spec: {taints: [{key: dedicated, value: infra, effect: NoSchedule}, {key: slow, effect: PreferNoSchedule}]}
                """);
        assertThat(NodeFit.forNewPod(spec(""), tainted)).get().asString()
                .isEqualTo("node n1 has taint dedicated=infra:NoSchedule that the pod does not tolerate");
        assertThat(NodeFit.forNewPod(spec("tolerations: [{key: dedicated, value: infra, effect: NoSchedule}]"), tainted)).isEmpty();
        assertThat(NodeFit.forNewPod(spec("tolerations: [{key: dedicated, operator: Exists}]"), tainted)).isEmpty();
        assertThat(NodeFit.forNewPod(spec("tolerations: [{operator: Exists}]"), tainted)).isEmpty();
        assertThat(NodeFit.forNewPod(spec("tolerations: [{key: dedicated, value: web}]"), tainted)).isPresent();
        assertThat(NodeFit.forNewPod(spec("tolerations: [{key: dedicated, operator: Exists, effect: NoExecute}]"), tainted)).isPresent();
        Node noExecute = node("metadata: {name: n1}\nspec: {taints: [{key: evict, effect: NoExecute}]}");
        assertThat(NodeFit.forNewPod(spec(""), noExecute)).isPresent();
    }

    @Test
    void aCordonedNodeTakesOnlyPodsThatTolerateTheUnschedulableTaint() {
        Node cordoned = node("metadata: {name: n1}\nspec: {unschedulable: true}");
        assertThat(NodeFit.forNewPod(spec(""), cordoned)).contains("node n1 is unschedulable (cordoned)");
        assertThat(NodeFit.forNewPod(spec("tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]"),
                cordoned)).isEmpty();
    }

    @Test
    void aPodBoundElsewhereDoesNotFit() {
        assertThat(NodeFit.forPod(spec("nodeName: n2"), node("metadata: {name: n1}"))).contains("the pod names node n2");
    }
}
