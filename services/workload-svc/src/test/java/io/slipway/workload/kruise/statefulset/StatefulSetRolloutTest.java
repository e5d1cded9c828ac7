package io.slipway.workload.kruise.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.kruise.Revisions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The planner alone: Kruise's rollout semantics decided from the set and its pods as they are. */
class StatefulSetRolloutTest {
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    AdvancedStatefulSet set(String yamlSpec) {
        AdvancedStatefulSet set = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: web, namespace: default, uid: set-uid, generation: 2}
                spec:
                """ + yamlSpec.indent(2), AdvancedStatefulSet.class);
        return set;
    }

    static String template(String image) {
        return """
                selector: {matchLabels: {app: web}}
                template:
                  metadata: {labels: {app: web}}
                  spec:
                    containers: [{name: main, image: %s}]
                """.formatted(image);
    }

    record World(AdvancedStatefulSet set, List<Pod> pods, Map<String, PodTemplateSpec> templates, String current, String update) {
        StatefulSetRollout.Plan plan() {
            return StatefulSetRollout.plan(new StatefulSetRollout.Input(set, pods, current, update, templates, NOW));
        }
    }

    /** A set whose pods 0..n-1 run the template of {@code oldImage}, ready, while its spec asks for {@code newSpec}. */
    World world(String oldSpec, String newSpec, int running) {
        AdvancedStatefulSet old = set(oldSpec);
        AdvancedStatefulSet now = set(newSpec);
        String oldRev = Revisions.name("web", old.getSpec().template, 0);
        String newRev = Revisions.name("web", now.getSpec().template, 0);
        Map<String, PodTemplateSpec> templates = new HashMap<>();
        templates.put(oldRev, old.getSpec().template);
        templates.put(newRev, now.getSpec().template);
        List<Pod> pods = new ArrayList<>();
        boolean gate = StatefulSetRollout.updatesInPlace(old.getSpec());
        for (int i = 0; i < running; i++) {
            pods.add(ready(StatefulSetPods.pod(old, old.getSpec().template, i, oldRev, gate), NOW.minusSeconds(600)));
        }
        return new World(now, pods, templates, oldRev, newRev);
    }

    static Pod ready(Pod pod, Instant since) {
        pod.getMetadata().setUid(UUID.randomUUID().toString());
        pod.getMetadata().setResourceVersion("1");
        PodStatus status = new PodStatus();
        status.setPhase("Running");
        List<io.fabric8.kubernetes.api.model.PodCondition> conditions = new ArrayList<>();
        conditions.add(new PodConditionBuilder().withType("Ready").withStatus("True").withLastTransitionTime(since.toString()).build());
        if (InPlaceUpdate.hasReadinessGate(pod)) {
            conditions.add(new PodConditionBuilder().withType(InPlaceUpdate.READINESS_GATE).withStatus("True").withLastTransitionTime(since.toString()).build());
        }
        status.setConditions(conditions);
        status.setContainerStatuses(List.of(new ContainerStatusBuilder().withName("main").withImage(pod.getSpec().getContainers().get(0).getImage())
                .withImageID("sha256:" + pod.getSpec().getContainers().get(0).getImage().hashCode()).withContainerID("containerd://" + UUID.randomUUID())
                .withReady(true).build()));
        pod.setStatus(status);
        return pod;
    }

    static Pod notReady(Pod pod) {
        pod.getStatus().getConditions().removeIf(c -> c.getType().equals("Ready"));
        pod.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready").withStatus("False").build());
        return pod;
    }

    static List<Integer> ordinals(List<Pod> pods) {
        return pods.stream().map(p -> StatefulSetRollout.ordinalOf("web", p)).toList();
    }

    @Test
    void orderedReadyCreatesOnePodAtATimeAndWaitsForItToBeReady() {
        World w = world("replicas: 3\n" + template("img:1"), "replicas: 3\n" + template("img:1"), 0);
        assertThat(w.plan().creates()).extracting(StatefulSetRollout.Create::ordinal).containsExactly(0);
        Pod first = StatefulSetPods.pod(w.set(), w.set().getSpec().template, 0, w.update(), false);
        first.getMetadata().setUid("u0");
        World pending = new World(w.set(), List.of(first), w.templates(), w.current(), w.update());
        assertThat(pending.plan().creates()).isEmpty();
        World readyOne = new World(w.set(), List.of(ready(first, NOW)), w.templates(), w.current(), w.update());
        assertThat(readyOne.plan().creates()).extracting(StatefulSetRollout.Create::ordinal).containsExactly(1);
    }

    @Test
    void parallelCreatesEveryMissingOrdinalAtOnceSkippingReservedOnes() {
        String spec = "replicas: 4\npodManagementPolicy: Parallel\nreserveOrdinals: [1, \"3-4\"]\n" + template("img:1");
        World w = world(spec, spec, 0);
        assertThat(w.plan().creates()).extracting(StatefulSetRollout.Create::ordinal).containsExactly(0, 2, 5, 6);
    }

    @Test
    void orderedReadyScalesDownFromTheHighestOrdinalOneAtATime() {
        World w = world("replicas: 4\n" + template("img:1"), "replicas: 2\n" + template("img:1"), 4);
        var plan = w.plan();
        assertThat(plan.deletes()).extracting(d -> StatefulSetRollout.ordinalOf("web", d.pod())).containsExactly(3);
    }

    @Test
    void inPlaceUpdateTakesAtMostMaxUnavailablePodsOutOfServiceFromTheHighestOrdinal() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 3}}\n";
        World w = world("replicas: 10\npodManagementPolicy: Parallel\n" + rolling + template("img:1"),
                "replicas: 10\npodManagementPolicy: Parallel\n" + rolling + template("img:2"), 10);
        var plan = w.plan();
        assertThat(plan.deletes()).isEmpty();
        assertThat(plan.inPlace()).extracting(s -> StatefulSetRollout.ordinalOf("web", s.pod())).containsExactly(9, 8, 7);
        assertThat(plan.inPlace()).allSatisfy(s -> {
            assertThat(s.applyNow()).isTrue();
            assertThat(s.diff().images()).containsEntry("main", "img:2");
        });
    }

    @Test
    void aPodAlreadyOutOfServiceIsUpdatedWithoutSpendingTheBudget() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 2}}\n";
        World w = world("replicas: 5\n" + rolling + template("img:1"), "replicas: 5\n" + rolling + template("img:2"), 5);
        notReady(w.pods().get(4));
        // one of two already spent by pod 4, which is updated anyway; one left for pod 3
        assertThat(w.plan().inPlace()).extracting(s -> StatefulSetRollout.ordinalOf("web", s.pod())).containsExactly(4, 3);
    }

    @Test
    void theBudgetIsReleasedPerPodAsSoonAsItIsAvailableAgain() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 2}}\n";
        World w = world("replicas: 6\n" + rolling + template("img:1"), "replicas: 6\n" + rolling + template("img:2"), 6);
        // pod 5 finished its update and is back in service; pod 4 is still being updated
        Pod five = w.pods().get(5);
        five.getMetadata().getLabels().put(Revisions.REVISION_LABEL, w.update());
        five.getSpec().getContainers().get(0).setImage("img:2");
        Pod four = w.pods().get(4);
        four.getMetadata().getLabels().put(Revisions.REVISION_LABEL, w.update());
        four.getStatus().getConditions().removeIf(c -> c.getType().equals(InPlaceUpdate.READINESS_GATE));
        four.getStatus().getConditions().add(new PodConditionBuilder().withType(InPlaceUpdate.READINESS_GATE).withStatus("False")
                .withLastTransitionTime(NOW.toString()).build());
        assertThat(w.plan().inPlace()).extracting(s -> StatefulSetRollout.ordinalOf("web", s.pod())).containsExactly(3);
    }

    @Test
    void partitionKeepsLowerOrdinalsOnTheirRevision() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 100%, partition: 3}}\n";
        World w = world("replicas: 5\n" + rolling + template("img:1"), "replicas: 5\n" + rolling + template("img:2"), 5);
        assertThat(w.plan().inPlace()).extracting(s -> StatefulSetRollout.ordinalOf("web", s.pod())).containsExactly(4, 3);
    }

    @Test
    void aChangeBeyondImagesRecreatesUnderInPlaceIfPossible() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible}}\n";
        String changed = template("img:1").replace("image: img:1}", "image: img:1, env: [{name: A, value: b}]}");
        World w = world("replicas: 2\n" + rolling + template("img:1"), "replicas: 2\n" + rolling + changed, 2);
        var plan = w.plan();
        assertThat(plan.inPlace()).isEmpty();
        assertThat(plan.deletes()).extracting(d -> StatefulSetRollout.ordinalOf("web", d.pod())).containsExactly(1);
    }

    @Test
    void inPlaceOnlyRefusesAChangeBeyondImagesNamingTheFieldAndTouchesNothing() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceOnly}}\n";
        String changed = template("img:2").replace("image: img:2}", "image: img:2, env: [{name: A, value: b}]}");
        World w = world("replicas: 2\n" + rolling + template("img:1"), "replicas: 2\n" + rolling + changed, 2);
        var plan = w.plan();
        assertThat(plan.inPlace()).isEmpty();
        assertThat(plan.deletes()).isEmpty();
        assertThat(plan.phase()).isEqualTo(StatefulSetRollout.Phase.BLOCKED);
        assertThat(plan.reason()).contains("web-1").contains("spec.containers[main].env");
    }

    @Test
    void aPausedRolloutUpdatesNothingAndSaysSo() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, paused: true}}\n";
        World w = world("replicas: 2\n" + rolling + template("img:1"), "replicas: 2\n" + rolling + template("img:2"), 2);
        var plan = w.plan();
        assertThat(plan.inPlace()).isEmpty();
        assertThat(plan.phase()).isEqualTo(StatefulSetRollout.Phase.PAUSED);
        assertThat(plan.reason()).contains("2 pod(s)").contains("paused");
    }

    @Test
    void aGracePeriodClosesTheGateFirstAndChangesImagesOnlyWhenItHasPassed() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, inPlaceUpdateStrategy: {gracePeriodSeconds: 10}}}\n";
        World w = world("replicas: 1\n" + rolling + template("img:1"), "replicas: 1\n" + rolling + template("img:2"), 1);
        var first = w.plan();
        assertThat(first.inPlace()).singleElement().satisfies(s -> assertThat(s.applyNow()).isFalse());
        assertThat(first.recheckAfter()).isPresent();
        Pod closed = InPlaceUpdate.withGate(w.pods().get(0), false, "StartInPlaceUpdate", NOW.minusSeconds(4));
        World waiting = new World(w.set(), List.of(closed), w.templates(), w.current(), w.update());
        assertThat(waiting.plan().inPlace()).singleElement().satisfies(s -> assertThat(s.applyNow()).isFalse());
        Pod longAgo = InPlaceUpdate.withGate(w.pods().get(0), false, "StartInPlaceUpdate", NOW.minusSeconds(11));
        World due = new World(w.set(), List.of(longAgo), w.templates(), w.current(), w.update());
        assertThat(due.plan().inPlace()).singleElement().satisfies(s -> assertThat(s.applyNow()).isTrue());
    }

    @Test
    void aReadyPodCountsAsAvailableOnlyAfterMinReadySeconds() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, minReadySeconds: 30}}\n";
        World w = world("replicas: 2\n" + rolling + template("img:1"), "replicas: 2\n" + rolling + template("img:2"), 2);
        Pod fresh = ready(w.pods().get(1), NOW.minusSeconds(10));
        World justReady = new World(w.set(), List.of(w.pods().get(0), fresh), w.templates(), w.current(), w.update());
        var plan = justReady.plan();
        // pod 1 is not yet available, so it may be updated without budget, and pod 0 waits
        assertThat(plan.inPlace()).extracting(s -> StatefulSetRollout.ordinalOf("web", s.pod())).containsExactly(1);
        assertThat(plan.recheckAfter()).hasValueSatisfying(d -> assertThat(d.toSeconds()).isBetween(19L, 20L));
        assertThat(plan.status().availableReplicas).isEqualTo(1);
    }

    @Test
    void anInPlaceUpdateFinishesOnANewImageIdOrOnARestartedContainerButNotBefore() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible}}\n";
        World w = world("replicas: 1\n" + rolling + template("img:1"), "replicas: 1\n" + rolling + template("img:2"), 1);
        Pod before = w.pods().get(0);
        Pod closed = InPlaceUpdate.withGate(before, false, "StartInPlaceUpdate", NOW);
        Pod applied = InPlaceUpdate.apply(closed, InPlaceUpdate.diff(w.templates().get(w.current()), w.set().getSpec().template),
                StatefulSetPods.identity(w.set(), 0, w.update()), w.update(), NOW);
        var status = applied.getStatus().getContainerStatuses().get(0);
        World notYet = new World(w.set(), List.of(applied), w.templates(), w.current(), w.update());
        assertThat(notYet.plan().openGates()).isEmpty();

        status.setImage("img:2"); // the tag moved to the same digest: same imageID, but the container restarted
        status.setContainerID("containerd://restarted");
        assertThat(notYet.plan().openGates()).hasSize(1);

        status.setContainerID(before.getStatus().getContainerStatuses().get(0).getContainerID());
        status.setImageID("sha256:new");
        assertThat(notYet.plan().openGates()).hasSize(1);
    }

    @Test
    void theUpdateBecomesCurrentWhenEveryPodRunsIt() {
        String rolling = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible}}\n";
        World w = world("replicas: 1\n" + rolling + template("img:1"), "replicas: 1\n" + rolling + template("img:2"), 1);
        assertThat(w.plan().status().currentRevision).isEqualTo(w.current());
        Pod updated = w.pods().get(0);
        updated.getMetadata().getLabels().put(Revisions.REVISION_LABEL, w.update());
        var plan = w.plan();
        assertThat(plan.status().currentRevision).isEqualTo(w.update());
        assertThat(plan.status().updatedReplicas).isEqualTo(1);
        assertThat(plan.phase()).isEqualTo(StatefulSetRollout.Phase.FINISHED);
    }

    @Test
    void percentagesRoundDownButNeverBelowOne() {
        assertThat(StatefulSetRollout.scaled(new IntOrString("10%"), 1000, 1)).isEqualTo(100);
        assertThat(StatefulSetRollout.scaled(new IntOrString("1%"), 50, 1)).isEqualTo(1);
        assertThat(StatefulSetRollout.scaled(null, 50, 1)).isEqualTo(1);
    }

    @Test
    void aRolloutThatWaitsNamesThePodsNotReadyForLongAndWhy() {
        World w = world("replicas: 3\n" + template("img:1"), "replicas: 3\n" + template("img:1"), 3);
        Pod crashing = notReady(w.pods().get(1));
        crashing.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).forEach(c -> c.setLastTransitionTime(NOW.minusSeconds(95).toString()));
        crashing.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("main").withRestartCount(4)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState().withReady(false).build()));
        Pod starting = notReady(w.pods().get(2));
        starting.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).forEach(c -> c.setLastTransitionTime(NOW.minusSeconds(5).toString()));
        var plan = w.plan();
        assertThat(plan.phase()).isEqualTo(StatefulSetRollout.Phase.PROGRESSING);
        assertThat(plan.reason()).as("the pod not ready for 5 s is a rollout going as planned")
                .endsWith("; waiting for web-1 (not ready for 95s): container main waiting (CrashLoopBackOff), 4 restart(s)");
        assertThat(plan.recheckAfter()).as("looked at again when web-2 has been not ready for 30 s").contains(Duration.ofSeconds(26));
    }
}
