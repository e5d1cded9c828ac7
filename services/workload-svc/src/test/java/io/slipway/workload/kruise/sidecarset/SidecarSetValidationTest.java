package io.slipway.workload.kruise.sidecarset;

import static io.slipway.workload.kruise.sidecarset.SidecarSets.sidecarSet;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarSetValidationTest {
    static final SidecarSet MESH = sidecarSet("""
            metadata: {name: mesh}
            spec:
              selector: {matchLabels: {app: web}}
              containers: [{name: proxy, image: envoy:1}]
            """);

    @Test
    void aValidSidecarSetHasNoProblems() {
        assertThat(SidecarSetValidation.problems(MESH, List.of(MESH))).isEmpty();
    }

    @Test
    void containerNamesMustBeUniqueWithinTheSidecarSet() {
        SidecarSet set = sidecarSet("""
                metadata: {name: mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  initContainers: [{name: proxy, image: init:1}]
                  containers: [{name: proxy, image: envoy:1}]
                """);

        assertThat(SidecarSetValidation.problems(set, List.of()))
                .containsExactly("spec.containers[0].name: Duplicate value: \"proxy\": the SidecarSet injects another container of that name");
    }

    @Test
    void aContainerNameOfAnotherSidecarSetThatCanSelectTheSamePodsIsRefused() {
        SidecarSet other = sidecarSet("""
                metadata: {name: linkerd}
                spec:
                  selector: {matchExpressions: [{key: app, operator: Exists}]}
                  containers: [{name: proxy, image: linkerd:2}]
                """);
        SidecarSet elsewhere = sidecarSet("""
                metadata: {name: linkerd}
                spec:
                  selector: {matchLabels: {app: api}}
                  containers: [{name: proxy, image: linkerd:2}]
                """);
        SidecarSet otherNamespaces = sidecarSet("""
                metadata: {name: linkerd}
                spec:
                  selector: {matchLabels: {app: web}}
                  namespaceSelector: {matchLabels: {env: dev}}
                  containers: [{name: proxy, image: linkerd:2}]
                """);
        SidecarSet prodMesh = io.fabric8.kubernetes.client.utils.Serialization.clone(MESH);
        prodMesh.getSpec().namespaceSelector = io.fabric8.kubernetes.client.utils.Serialization.unmarshal("matchLabels: {env: prod}",
                io.fabric8.kubernetes.api.model.LabelSelector.class);

        assertThat(SidecarSetValidation.problems(MESH, List.of(other))).containsExactly("spec.containers[0].name: Invalid value: \"proxy\":"
                + " SidecarSet linkerd, whose selector can select the same pods, injects a container named proxy");
        assertThat(SidecarSetValidation.problems(MESH, List.of(elsewhere))).isEmpty();
        assertThat(SidecarSetValidation.problems(prodMesh, List.of(otherNamespaces))).isEmpty();
        assertThat(SidecarSetValidation.problems(MESH, List.of(otherNamespaces))).hasSize(1);
    }

    @Test
    void aDifferentVolumeOfTheSameNameInAnOverlappingSidecarSetIsRefused() {
        SidecarSet a = sidecarSet("""
                metadata: {name: a}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: a, image: a:1, volumeMounts: [{name: certs, mountPath: /c}]}]
                  volumes: [{name: certs, emptyDir: {}}]
                """);
        SidecarSet same = sidecarSet("""
                metadata: {name: b}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: b, image: b:1}]
                  volumes: [{name: certs, emptyDir: {}}]
                """);
        SidecarSet different = sidecarSet("""
                metadata: {name: b}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: b, image: b:1}]
                  volumes: [{name: certs, secret: {secretName: s}}]
                """);

        assertThat(SidecarSetValidation.problems(a, List.of(same))).isEmpty();
        assertThat(SidecarSetValidation.problems(a, List.of(different))).singleElement().asString()
                .startsWith("spec.volumes[0].name: Invalid value: \"certs\": SidecarSet b");
    }

    @Test
    void fieldsAreCheckedOneByOne() {
        SidecarSet bad = sidecarSet("""
                metadata: {name: Bad_Name}
                spec:
                  selector: {}
                  containers:
                  - {name: Proxy, podInjectPolicy: Sideways, upgradeStrategy: {upgradeType: WarmUpgrade}, volumeMounts: [{name: x, mountPath: /x}]}
                  updateStrategy: {type: Sometimes, partition: 1, selector: {matchLabels: {a: b}}, maxUnavailable: 0}
                  injectionStrategy: {revision: {revisionName: r1}}
                """);

        assertThat(SidecarSetValidation.problems(bad, List.of())).containsExactly(
                "metadata.name: Invalid value: \"Bad_Name\": a SidecarSet's name has at most 63 letters, digits or '-'",
                "spec.selector: Invalid value: {}: an empty selector is not valid for a SidecarSet",
                "spec.containers[0].name: Invalid value: \"Proxy\": a container's name is a DNS label (lower case letters, digits, '-')",
                "spec.containers[0].image: Required value",
                "spec.containers[0].podInjectPolicy: Unsupported value: \"Sideways\": supported values: BeforeAppContainer, AfterAppContainer",
                "spec.containers[0].upgradeStrategy.upgradeType: Unsupported value: \"WarmUpgrade\": supported values: ColdUpgrade, HotUpgrade",
                "spec.containers[0].volumeMounts[0].name: Not found: \"x\": not a volume of the SidecarSet (spec.volumes)",
                "spec.updateStrategy.type: Unsupported value: \"Sometimes\": supported values: RollingUpdate, NotUpdate",
                "spec.updateStrategy.maxUnavailable: Invalid value: 0: must be at least 1 (nothing would ever be upgraded)",
                "spec.injectionStrategy.revision: Forbidden: injecting a chosen revision is not supported by Slipway yet; new pods get the latest revision");
    }

    @Test
    void partitionAndSelectorTogetherAreRefusedForARollingUpdate() {
        SidecarSet set = sidecarSet("""
                metadata: {name: mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1}]
                  updateStrategy: {partition: "50%", selector: {matchLabels: {canary: "true"}}}
                """);

        assertThat(SidecarSetValidation.problems(set, List.of()))
                .containsExactly("spec.updateStrategy.partition: Invalid value: \"50%\": partition and selector cannot be used together");
    }

    @Test
    void aHotUpgradeNeedsAnEmptyImageOtherThanItsImageAndFreeNamesForItsTwoContainers() {
        SidecarSet set = sidecarSet("""
                metadata: {name: mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  initContainers:
                  - {name: setup, image: setup:1, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}
                  containers:
                  - {name: proxy, image: envoy:1, upgradeStrategy: {upgradeType: HotUpgrade}}
                  - {name: proxy-2, image: other:1}
                  - {name: agent, image: agent:1, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: agent:1}}
                  - {name: %s, image: x:1, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}
                """.formatted("l".repeat(62)));

        assertThat(SidecarSetValidation.problems(set, List.of())).containsExactly(
                "spec.initContainers[0].upgradeStrategy.upgradeType: Forbidden: an init container runs once when the pod starts; it has nothing to hand over",
                "spec.containers[0].upgradeStrategy.hotUpgradeEmptyImage: Required value: HotUpgrade runs this image in the idle one of the"
                        + " sidecar's two containers",
                "spec.containers[1].name: Duplicate value: \"proxy-2\": the SidecarSet injects another container of that name",
                "spec.containers[2].upgradeStrategy.hotUpgradeEmptyImage: Invalid value: \"agent:1\": must differ from the sidecar's image,"
                        + " or an upgrade could not tell the idle container from the working one",
                "spec.containers[3].name: Invalid value: \"" + "l".repeat(62) + "\": a HotUpgrade sidecar's containers are " + "l".repeat(62)
                        + "-1 and -2, longer than 63 characters");
    }

    @Test
    void anotherSidecarSetsContainerNamedLikeAHotSidecarsSecondContainerIsRefused() {
        SidecarSet hot = sidecarSet("""
                metadata: {name: mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}]
                """);
        SidecarSet other = sidecarSet("""
                metadata: {name: tracing}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy-2, image: jaeger:1}]
                """);

        assertThat(SidecarSetValidation.problems(other, List.of(hot))).containsExactly("spec.containers[0].name: Invalid value: \"proxy-2\":"
                + " SidecarSet mesh, whose selector can select the same pods, injects a container named proxy-2");
        assertThat(SidecarSetValidation.problems(hot, List.of(other))).containsExactly("spec.containers[0].name: Invalid value: \"proxy\":"
                + " SidecarSet tracing, whose selector can select the same pods, injects a container named proxy-2");
    }

    @Test
    void aContainersUpgradeTypeCannotChange() {
        SidecarSet hot = sidecarSet("""
                metadata: {name: mesh}
                spec:
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:2, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}]
                """);

        assertThat(SidecarSetValidation.changes(hot, MESH)).containsExactly("spec.containers[0].upgradeStrategy.upgradeType: Invalid value:"
                + " \"HotUpgrade\": container proxy's upgradeType is immutable (its pods were injected with one container); create a new"
                + " SidecarSet or a new container name instead");
        assertThat(SidecarSetValidation.changes(hot, hot)).isEmpty();
    }
}
