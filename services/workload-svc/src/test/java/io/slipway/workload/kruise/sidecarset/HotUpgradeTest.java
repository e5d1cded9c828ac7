package io.slipway.workload.kruise.sidecarset;

import static io.slipway.workload.kruise.sidecarset.SidecarSets.sidecarSet;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kruise's HotUpgrade: injection as two containers, the hand-over, the reset, and what it costs the budget. */
class HotUpgradeTest {
    static final SidecarSet V1 = sidecarSet("""
            metadata: {name: mesh, generation: 1, resourceVersion: "100"}
            spec:
              selector: {matchLabels: {app: web}}
              containers:
              - {name: proxy, image: envoy:1, upgradeStrategy: {upgradeType: HotUpgrade, hotUpgradeEmptyImage: empty:1}}
              - {name: log, image: fluent:1}
            """);

    static SidecarSet version(String image, String resourceVersion, String strategyYaml) {
        SidecarSet s = Serialization.clone(V1);
        s.getSpec().containers.get(0).setImage(image);
        s.getMetadata().setResourceVersion(resourceVersion);
        s.getMetadata().setGeneration(s.getMetadata().getGeneration() + 1);
        if (strategyYaml != null) {
            s.getSpec().updateStrategy = Serialization.unmarshal(strategyYaml, SidecarSetSpecFields.UpdateStrategy.class);
        }
        return s;
    }

    static Container container(Pod pod, String name) {
        return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    /** The pod after a planned change was written and the kubelet restarted the changed containers (ready, or not yet). */
    static Pod written(Pod pod, InPlaceUpdate.Diff diff, String revision, boolean ready) {
        Pod out = InPlaceUpdate.apply(pod, diff, Map.of(), revision, SidecarSetUpgradeTest.NOW);
        for (ContainerStatus s : out.getStatus().getContainerStatuses()) {
            String image = diff.images().get(s.getName());
            if (image != null) {
                s.setImage(image);
                s.setImageID("sha256:" + image);
                s.setContainerID("c-" + s.getName() + "-" + image);
                s.setReady(ready);
            }
        }
        return out;
    }

    @Test
    void aHotSidecarIsInjectedAsAWorkingContainerAndAnIdleOneThatReadTheirVersions() {
        Pod pod = SidecarInjection.inject(SidecarInjectionTest.WEB, "shop", Map.of(), List.of(V1), SidecarInjectionTest.NOW).pod();

        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("proxy-1", "proxy-2", "log", "main");
        assertThat(container(pod, "proxy-1").getImage()).isEqualTo("envoy:1");
        assertThat(container(pod, "proxy-2").getImage()).isEqualTo("empty:1");
        assertThat(container(pod, "proxy-2").getEnv()).extracting(EnvVar::getName).containsExactly("IS_INJECTED", "SIDECARSET_VERSION", "SIDECARSET_VERSION_ALT");
        assertThat(container(pod, "proxy-2").getEnv().get(1).getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['version.sidecarset.kruise.io/proxy-2']");
        assertThat(container(pod, "proxy-1").getEnv().get(2).getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['versionalt.sidecarset.kruise.io/proxy-1']");
        assertThat(container(pod, "log").getEnv()).extracting(EnvVar::getName).containsExactly("IS_INJECTED");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(HotUpgrade.WORKING_ANNOTATION, "{\"proxy\":\"proxy-1\"}")
                .containsEntry("version.sidecarset.kruise.io/proxy-1", "1").containsEntry("versionalt.sidecarset.kruise.io/proxy-1", "0")
                .containsEntry("version.sidecarset.kruise.io/proxy-2", "0").containsEntry("versionalt.sidecarset.kruise.io/proxy-2", "1");
        assertThat(PodSidecars.sidecars(pod, "mesh")).containsExactly("log", "proxy");
        assertThat(HotUpgrade.working(pod, "proxy")).isEqualTo("proxy-1");
    }

    @Test
    void anUpgradeGivesTheIdleContainerTheImageAndTheWorkWithoutTakingThePodOutOfService() {
        SidecarSet v2 = version("envoy:2", "200", null);

        var plan = SidecarSetUpgradeTest.plan(v2, List.of(SidecarSetUpgradeTest.running("a", V1, 30)), V1);

        var upgrade = plan.upgrades().get(0);
        assertThat(upgrade.closeGate()).as("a hot upgrade keeps the pod in service").isFalse();
        assertThat(upgrade.diff().images()).containsExactly(Map.entry("proxy-2", "envoy:2"));
        assertThat(upgrade.diff().annotations()).containsKey(PodSidecars.HASH_ANNOTATION);
        Pod after = InPlaceUpdate.apply(SidecarSetUpgradeTest.running("a", V1, 30), upgrade.diff(), Map.of(), upgrade.revision(), SidecarSetUpgradeTest.NOW);
        assertThat(after.getMetadata().getAnnotations()).containsEntry(HotUpgrade.WORKING_ANNOTATION, "{\"proxy\":\"proxy-2\"}")
                .containsEntry("version.sidecarset.kruise.io/proxy-2", "200").containsEntry("versionalt.sidecarset.kruise.io/proxy-2", "1")
                .containsEntry("versionalt.sidecarset.kruise.io/proxy-1", "200").containsEntry("version.sidecarset.kruise.io/proxy-1", "1");
        assertThat(plan.resets()).isEmpty();
    }

    @Test
    void aColdSidecarChangedWithAHotOneStillClosesTheGate() {
        SidecarSet v2 = version("envoy:2", "200", null);
        v2.getSpec().containers.get(1).setImage("fluent:2");

        var upgrade = SidecarSetUpgradeTest.plan(v2, List.of(SidecarSetUpgradeTest.running("a", V1, 30)), V1).upgrades().get(0);

        assertThat(upgrade.closeGate()).isTrue();
        assertThat(upgrade.diff().images()).containsOnly(Map.entry("proxy-2", "envoy:2"), Map.entry("log", "fluent:2"));
    }

    @Test
    void theOldContainerIsResetToTheEmptyImageOnlyOnceTheNewOneRunsAndMeanwhileThePodCountsAsUnavailable() {
        SidecarSet v2 = version("envoy:2", "200", null);
        Pod pod = SidecarSetUpgradeTest.running("a", V1, 30);
        var upgrade = SidecarSetUpgradeTest.plan(v2, List.of(pod), V1).upgrades().get(0);
        Pod starting = written(pod, upgrade.diff(), upgrade.revision(), false);
        Pod other = SidecarSetUpgradeTest.running("b", V1, 20);

        var whileStarting = SidecarSetUpgradeTest.plan(v2, List.of(starting, other), V1);
        assertThat(whileStarting.resets()).isEmpty();
        assertThat(whileStarting.upgrades()).as("maxUnavailable 1 is taken by the hand-over").isEmpty();
        assertThat(whileStarting.status().updatedPods).isEqualTo(1);
        assertThat(whileStarting.status().updatedReadyPods).isZero();

        Pod started = written(pod, upgrade.diff(), upgrade.revision(), true);
        var afterStart = SidecarSetUpgradeTest.plan(v2, List.of(started, other), V1);
        assertThat(afterStart.resets()).singleElement().satisfies(r -> {
            assertThat(r.diff().images()).containsExactly(Map.entry("proxy-1", "empty:1"));
            assertThat(r.diff().annotations()).containsOnly(Map.entry("version.sidecarset.kruise.io/proxy-1", "0"),
                    Map.entry("versionalt.sidecarset.kruise.io/proxy-2", "0"));
        });
        assertThat(afterStart.upgrades()).as("still handing over until the reset").isEmpty();
        assertThat(afterStart.status().updatedReadyPods).isZero();
        assertThat(afterStart.phase()).isEqualTo(SidecarSetUpgrade.Phase.PROGRESSING);

        var reset = afterStart.resets().get(0);
        Pod settled = written(started, reset.diff(), reset.revision(), true);
        var done = SidecarSetUpgradeTest.plan(v2, List.of(settled, other), V1);
        assertThat(done.status().updatedReadyPods).isEqualTo(1);
        assertThat(done.upgrades()).extracting(u -> u.pod().getMetadata().getName()).containsExactly("b");
        assertThat(HotUpgrade.working(settled, "proxy")).isEqualTo("proxy-2");
        assertThat(container(settled, "proxy-1").getImage()).isEqualTo("empty:1");
    }

    @Test
    void theNextUpgradeHandsBackToTheFirstContainer() {
        SidecarSet v2 = version("envoy:2", "200", null);
        Pod pod = SidecarSetUpgradeTest.running("a", V1, 30);
        var up = SidecarSetUpgradeTest.plan(v2, List.of(pod), V1).upgrades().get(0);
        Pod started = written(pod, up.diff(), up.revision(), true);
        var reset = SidecarSetUpgradeTest.plan(v2, List.of(started), V1).resets().get(0);
        Pod onV2 = written(started, reset.diff(), reset.revision(), true);

        var next = SidecarSetUpgradeTest.plan(version("envoy:3", "300", null), List.of(onV2), V1, v2).upgrades().get(0);

        assertThat(next.diff().images()).containsExactly(Map.entry("proxy-1", "envoy:3"));
        Pod after = InPlaceUpdate.apply(onV2, next.diff(), Map.of(), next.revision(), SidecarSetUpgradeTest.NOW);
        assertThat(after.getMetadata().getAnnotations()).containsEntry(HotUpgrade.WORKING_ANNOTATION, "{\"proxy\":\"proxy-1\"}")
                .containsEntry("version.sidecarset.kruise.io/proxy-1", "300").containsEntry("versionalt.sidecarset.kruise.io/proxy-1", "200")
                .containsEntry("version.sidecarset.kruise.io/proxy-2", "200").containsEntry("versionalt.sidecarset.kruise.io/proxy-2", "300");
    }

    @Test
    void aNewImageThatNeverStartedIsReplacedInTheSameContainerWhileTheOldOneServes() {
        SidecarSet v2 = version("envoy:2-broken", "200", null);
        Pod pod = SidecarSetUpgradeTest.running("a", V1, 30);
        var up = SidecarSetUpgradeTest.plan(v2, List.of(pod), V1).upgrades().get(0);
        Pod failing = written(pod, up.diff(), up.revision(), false);
        PodState.containerStatus(failing, "proxy-2").orElseThrow().setImage("empty:1"); // the new image never started

        var retry = SidecarSetUpgradeTest.plan(version("envoy:3", "300", null), List.of(failing), V1, v2).upgrades().get(0);

        assertThat(retry.diff().images()).containsExactly(Map.entry("proxy-2", "envoy:3"));
        assertThat(retry.diff().annotations()).doesNotContainKey(HotUpgrade.WORKING_ANNOTATION);
        assertThat(container(failing, "proxy-1").getImage()).as("the old sidecar is untouched").isEqualTo("envoy:1");
    }

    @Test
    void aPausedUpgradeLeavesAHandOverAsItIs() {
        SidecarSet v2 = version("envoy:2", "200", null);
        Pod pod = SidecarSetUpgradeTest.running("a", V1, 30);
        var up = SidecarSetUpgradeTest.plan(v2, List.of(pod), V1).upgrades().get(0);
        Pod started = written(pod, up.diff(), up.revision(), true);

        assertThat(SidecarSetUpgradeTest.plan(version("envoy:2", "200", "paused: true"), List.of(started), V1).resets()).isEmpty();
    }

    @Test
    void aPodInjectedWithoutHotUpgradeIsReportedAsBlocked() {
        SidecarSet cold = Serialization.clone(V1);
        cold.getSpec().containers.get(0).upgradeStrategy = null;
        Pod pod = SidecarSetUpgradeTest.running("a", cold, 30);

        var plan = SidecarSetUpgradeTest.plan(version("envoy:2", "200", null), List.of(pod), cold);

        assertThat(plan.upgrades()).isEmpty();
        assertThat(plan.blocked()).singleElement().satisfies(b -> assertThat(b.fields()).anyMatch(f -> f.contains("upgradeStrategy")));
        assertThat(plan.phase()).isEqualTo(SidecarSetUpgrade.Phase.BLOCKED);
    }
}
