package io.slipway.workload.kruise.sidecarset;

import static io.slipway.workload.kruise.sidecarset.SidecarSets.sidecarSet;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarSetUpgradeTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final SidecarSet V1 = sidecarSet("""
            metadata: {name: mesh, generation: 1}
            spec:
              selector: {matchLabels: {app: web}}
              containers: [{name: proxy, image: envoy:1}]
            """);

    static SidecarSet v2(String strategyYaml) {
        SidecarSet s = Serialization.clone(V1);
        s.getSpec().containers.get(0).setImage("envoy:2");
        s.getMetadata().setGeneration(2L);
        if (strategyYaml != null) {
            s.getSpec().updateStrategy = Serialization.unmarshal(strategyYaml, SidecarSetSpecFields.UpdateStrategy.class);
        }
        return s;
    }

    /** A running, ready pod injected with {@code set}'s revision, created {@code age} seconds before NOW. */
    static Pod running(String name, SidecarSet set, int age) {
        Pod pod = Serialization.clone(SidecarInjectionTest.WEB);
        pod.getMetadata().setName(name);
        pod.getMetadata().setUid("uid-" + name);
        pod.getMetadata().setCreationTimestamp(NOW.minusSeconds(age).toString());
        pod = SidecarInjection.inject(pod, "shop", Map.of(), List.of(set), NOW).pod();
        PodStatus status = new PodStatus();
        status.setPhase("Running");
        status.setConditions(new ArrayList<>(List.of(new PodConditionBuilder().withType("Ready").withStatus("True").build(),
                new PodConditionBuilder().withType(InPlaceUpdate.READINESS_GATE).withStatus("True").build())));
        status.setContainerStatuses(pod.getSpec().getContainers().stream().map(c -> new ContainerStatusBuilder().withName(c.getName())
                .withImage(c.getImage()).withImageID("sha256:" + c.getImage()).withContainerID("c-" + c.getName()).withReady(true).build()).toList());
        pod.setStatus(status);
        return pod;
    }

    static Pod notReady(Pod pod) {
        pod.getStatus().getConditions().removeIf(c -> c.getType().equals("Ready"));
        pod.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready").withStatus("False").build());
        return pod;
    }

    static SidecarSetUpgrade.Plan plan(SidecarSet set, List<Pod> pods, SidecarSet... kept) {
        Map<String, PodTemplateSpec> revisions = new HashMap<>();
        for (SidecarSet k : kept) {
            SidecarRevision r = SidecarRevision.of(k);
            revisions.put(r.name(), r.template());
        }
        return SidecarSetUpgrade.plan(new SidecarSetUpgrade.Input(set, SidecarRevision.of(set), pods, revisions, NOW));
    }

    static List<String> names(List<SidecarSetUpgrade.Upgrade> upgrades) {
        return upgrades.stream().map(u -> u.pod().getMetadata().getName()).toList();
    }

    @Test
    void anImageChangeUpgradesOnePodAtATimeByDefaultNewestFirst() {
        List<Pod> pods = List.of(running("a", V1, 30), running("b", V1, 20), running("c", V1, 10));

        var plan = plan(v2(null), pods, V1);

        assertThat(names(plan.upgrades())).containsExactly("c");
        var upgrade = plan.upgrades().get(0);
        assertThat(upgrade.diff().images()).containsExactly(Map.entry("proxy", "envoy:2"));
        assertThat(upgrade.diff().inPlacePossible()).isTrue();
        assertThat(upgrade.diff().annotations()).containsOnlyKeys("kruise.io/sidecarset-hash");
        assertThat(upgrade.revision()).isEqualTo(SidecarRevision.of(v2(null)).hash());
        assertThat(plan.phase()).isEqualTo(SidecarSetUpgrade.Phase.PROGRESSING);
        assertThat(plan.status().matchedPods).isEqualTo(3);
        assertThat(plan.status().updatedPods).isZero();
        assertThat(plan.status().readyPods).isEqualTo(3);
    }

    @Test
    void maxUnavailableCountsUpgradedPodsNotReadyAgainAndUnreadyPodsUpgradeForFree() {
        SidecarSet v2 = v2("maxUnavailable: 2");
        Pod upgrading = running("a", v2, 40);
        upgrading = InPlaceUpdate.withGate(upgrading, false, "StartInPlaceUpdate", NOW);
        Pod unready = notReady(running("b", V1, 30));

        var plan = plan(v2, List.of(upgrading, unready, running("c", V1, 20), running("d", V1, 10)), V1);

        assertThat(names(plan.upgrades())).containsExactly("b", "d");
    }

    @Test
    void aPodTakenOutOfServiceWhoseImageChangeLostARaceCountsAsUnavailable() {
        Pod closed = InPlaceUpdate.withGate(notReady(running("a", V1, 40)), false, "StartSidecarUpgrade", NOW);

        var plan = plan(v2(null), List.of(closed, running("b", V1, 30), running("c", V1, 20)), V1);

        assertThat(names(plan.upgrades())).containsExactly("a");
    }

    @Test
    void partitionKeepsThatManyPodsOnTheOldRevision() {
        SidecarSet v2 = v2("{partition: 2, maxUnavailable: 10}".replace("{", "").replace("}", "").replace(", ", "\n"));
        var plan = plan(v2, List.of(running("a", V1, 40), running("b", V1, 30), running("c", V1, 20), running("d", V1, 10)), V1);
        assertThat(names(plan.upgrades())).containsExactly("d", "c");

        SidecarSet half = v2("partition: 50%\nmaxUnavailable: 10");
        var afterTwo = plan(half, List.of(running("a", V1, 40), running("b", V1, 30), running("c", half, 20), running("d", half, 10)), V1);
        assertThat(afterTwo.upgrades()).isEmpty();
        assertThat(afterTwo.phase()).isEqualTo(SidecarSetUpgrade.Phase.FINISHED);
        assertThat(afterTwo.reason()).contains("2 kept back by partition");
    }

    @Test
    void kruisesPartitionPercentRoundsUpButLeavesOnePodToUpgrade() {
        assertThat(SidecarSetUpgrade.partition(new IntOrString("50%"), 3)).isEqualTo(2);
        assertThat(SidecarSetUpgrade.partition(new IntOrString("99%"), 4)).isEqualTo(3);
        assertThat(SidecarSetUpgrade.partition(new IntOrString("100%"), 4)).isEqualTo(4);
        assertThat(SidecarSetUpgrade.partition(new IntOrString(7), 4)).isEqualTo(4);
    }

    @Test
    void onlyPodsTheUpdateSelectorSelectsUpgrade() {
        Pod canary = running("a", V1, 40);
        canary.getMetadata().getLabels().put("canary", "true");

        var plan = plan(v2("selector: {matchLabels: {canary: 'true'}}\nmaxUnavailable: 10"), List.of(canary, running("b", V1, 30)), V1);

        assertThat(names(plan.upgrades())).containsExactly("a");
    }

    @Test
    void pausedOrNotUpdateUpgradesNothing() {
        List<Pod> pods = List.of(running("a", V1, 40));

        var paused = plan(v2("paused: true"), pods, V1);
        var notUpdate = plan(v2("type: NotUpdate"), pods, V1);

        assertThat(paused.upgrades()).isEmpty();
        assertThat(paused.phase()).isEqualTo(SidecarSetUpgrade.Phase.PAUSED);
        assertThat(paused.reason()).contains("updateStrategy.paused");
        assertThat(notUpdate.upgrades()).isEmpty();
        assertThat(notUpdate.reason()).contains("NotUpdate");
    }

    @Test
    void aChangeBeyondImagesIsReportedWithThePodsAndTheFields() {
        SidecarSet env = v2(null);
        env.getSpec().containers.get(0).setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVar("MODE", "strict", null)));

        var plan = plan(env, List.of(running("a", V1, 40), running("b", V1, 30)), V1);

        assertThat(plan.upgrades()).isEmpty();
        assertThat(plan.blocked()).extracting(b -> b.pod().getMetadata().getName()).containsExactly("a", "b");
        assertThat(plan.blocked().get(0).fields()).containsExactly("spec.containers[proxy].env");
        assertThat(plan.phase()).isEqualTo(SidecarSetUpgrade.Phase.BLOCKED);
        assertThat(plan.reason()).contains("shop/a, shop/b (changed spec.containers[proxy].env)");
    }

    @Test
    void withoutTheOldRevisionTheHashWithoutImagesTellsABlockedPod() {
        SidecarSet env = v2(null);
        env.getSpec().containers.get(0).setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVar("MODE", "strict", null)));

        assertThat(plan(env, List.of(running("a", V1, 40))).blocked()).singleElement()
                .satisfies(b -> assertThat(b.fields()).singleElement().asString().startsWith("fields other than images"));
        assertThat(plan(v2(null), List.of(running("a", V1, 40))).upgrades()).hasSize(1);
    }

    @Test
    void aFinishedUpgradeOpensTheGateAndANewPodGetsItsGateOpened() {
        SidecarSet v2 = v2(null);
        Pod done = InPlaceUpdate.withGate(running("a", v2, 40), false, "StartInPlaceUpdate", NOW);
        Pod fresh = running("b", v2, 1);
        fresh.getStatus().getConditions().removeIf(c -> c.getType().equals(InPlaceUpdate.READINESS_GATE));

        var plan = plan(v2, List.of(done, fresh), V1);

        assertThat(plan.openGates()).extracting(p -> p.getMetadata().getName()).containsExactly("a", "b");
        assertThat(plan.upgrades()).isEmpty();
    }
}
