package io.slipway.workload.kruise.broadcastjob;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BroadcastJobPlanTest {
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    /** A job with {@code spec}'s fields, and a plain template unless {@code spec} has its own. */
    static BroadcastJob job(String spec) {
        String template = spec.contains("template:") ? "" : """
                template:
                  spec:
                    restartPolicy: Never
                    containers: [{name: main, image: busybox}]
                """;
        return Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: BroadcastJob
                metadata: {name: warm, namespace: default, uid: job-uid, generation: 1}
                spec:
                """ + (template + spec).indent(2), BroadcastJob.class);
    }

    static Node node(String name, String... labels) {
        Node n = NodeFitTest.node("metadata: {name: " + name + "}");
        n.getMetadata().setLabels(new java.util.HashMap<>());
        for (int i = 0; i + 1 < labels.length; i += 2) {
            n.getMetadata().getLabels().put(labels[i], labels[i + 1]);
        }
        return n;
    }

    static List<Node> nodes(int count) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            nodes.add(node("n" + i));
        }
        return nodes;
    }

    static Pod pod(BroadcastJob job, String name, String node, String phase, int secondsAgo) {
        Pod p = BroadcastJobPods.pod(job, name, node);
        return new PodBuilder(p).editMetadata().withUid(name + "-uid").withResourceVersion("1")
                .withCreationTimestamp(NOW.minusSeconds(secondsAgo).toString()).endMetadata()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    static BroadcastJobPlan.Plan plan(BroadcastJob job, List<Pod> pods, List<Node> nodes) {
        return BroadcastJobPlan.plan(new BroadcastJobPlan.Input(job, pods, nodes, NOW));
    }

    static List<String> createdOn(BroadcastJobPlan.Plan plan) {
        return plan.creates().stream().map(BroadcastJobPlan.Create::node).toList();
    }

    /** The job after {@code plan}'s status was written, as the next look reads it. */
    static BroadcastJob after(BroadcastJob job, BroadcastJobPlan.Plan plan) {
        BroadcastJob next = Serialization.clone(job);
        next.setStatus(Serialization.clone(plan.status()));
        return next;
    }

    @Test
    void everyNodeTheTemplateFitsGetsOnePodAndTheOthersNone() {
        BroadcastJob job = job("""
                template:
                  spec:
                    nodeSelector: {role: worker}
                    tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
                    containers: [{name: main, image: busybox}]
                """);
        Node tainted = node("n3", "role", "worker");
        tainted.setSpec(new io.fabric8.kubernetes.api.model.NodeSpecBuilder().addNewTaint().withKey("dedicated").withValue("x")
                .withEffect("NoSchedule").endTaint().build());
        Node other = node("n4", "role", "worker");
        other.setSpec(new io.fabric8.kubernetes.api.model.NodeSpecBuilder().addNewTaint().withKey("gpu").withEffect("NoExecute")
                .endTaint().build());
        var plan = plan(job, List.of(), List.of(node("n1", "role", "worker"), node("n2", "role", "master"), tainted, other));

        assertThat(createdOn(plan)).containsExactly("n1", "n3");
        assertThat(plan.status().desired).isEqualTo(2);
        assertThat(plan.status().phase).isEqualTo("running");
        assertThat(plan.status().startTime).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(plan.transition()).isEqualTo("JobRunning");
    }

    @Test
    void aNodeWithAPodGetsNoSecondOne() {
        BroadcastJob job = job("");
        var plan = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Running", 5)), nodes(2));
        assertThat(createdOn(plan)).containsExactly("n2");
        assertThat(plan.status().active).isEqualTo(1);
    }

    @Test
    void parallelismLimitsThePodsRunningAtOnce() {
        BroadcastJob job = job("parallelism: 2");
        assertThat(createdOn(plan(job, List.of(), nodes(5)))).containsExactly("n1", "n2");
        var oneRunning = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Running", 5), pod(job, "warm-bbbbb", "n2", "Succeeded", 5)), nodes(5));
        assertThat(createdOn(oneRunning)).containsExactly("n3");
    }

    @Test
    void aPercentParallelismIsOfTheDesiredPodsRoundedUp() {
        assertThat(createdOn(plan(job("parallelism: 50%"), List.of(), nodes(5)))).hasSize(3);
        assertThat(BroadcastJobPlan.parallelism(new io.fabric8.kubernetes.api.model.IntOrString("10%"), 5)).isEqualTo(1);
        assertThat(BroadcastJobPlan.parallelism(null, 5)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void anAlwaysJobCompletesWhenEveryNodesPodHasFinishedAndIsDeletedItsTtlAfter() {
        BroadcastJob job = job("completionPolicy: {type: Always, ttlSecondsAfterFinished: 30}");
        var plan = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Succeeded", 20), pod(job, "warm-bbbbb", "n2", "Succeeded", 20)), nodes(2));

        assertThat(plan.status().phase).isEqualTo("completed");
        assertThat(plan.status().completionTime).isEqualTo(NOW.toString());
        assertThat(plan.status().succeeded).isEqualTo(2);
        assertThat(plan.status().conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("Complete");
            assertThat(c.status).isEqualTo("True");
            assertThat(c.message).isEqualTo("Job completed, 2 pods succeeded, 0 pods failed");
        });
        assertThat(plan.transition()).isEqualTo("JobCompleted");
        assertThat(plan.recheckAfter()).contains(Duration.ofSeconds(30));

        BroadcastJob finished = after(job, plan);
        var later = BroadcastJobPlan.plan(new BroadcastJobPlan.Input(finished, List.of(), nodes(3), NOW.plusSeconds(10)));
        assertThat(later.deleteJob()).isFalse();
        assertThat(later.creates()).as("a finished job makes no pods, even on a new node").isEmpty();
        assertThat(later.recheckAfter()).as("from completionTime, whenever the controller looks").contains(Duration.ofSeconds(20));
        var due = BroadcastJobPlan.plan(new BroadcastJobPlan.Input(finished, List.of(), nodes(2), NOW.plusSeconds(30)));
        assertThat(due.deleteJob()).isTrue();
    }

    @Test
    void aJobWithoutEligibleNodesIsStalledAndSaysWhy() {
        BroadcastJob job = job("template: {spec: {nodeSelector: {role: gpu}, containers: [{name: main, image: busybox}]}}");
        var plan = plan(job, List.of(), nodes(2));
        assertThat(plan.status().desired).isZero();
        assertThat(plan.status().phase).as("Kruise keeps such a job running").isEqualTo("running");
        assertThat(plan.status().conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("Stalled");
            assertThat(c.reason).isEqualTo("NoEligibleNode");
            assertThat(c.message).isEqualTo("no node fits the template: 2 nodes outside the nodeSelector "
                    + "(node n1 does not match nodeSelector role=gpu, ...)");
        });
        assertThat(plan.reason()).startsWith("no node fits the template");
    }

    @Test
    void aStalledJobNamesTheNearestMissFirst() {
        BroadcastJob job = job("template: {spec: {nodeSelector: {role: gpu}, containers: [{name: main, image: busybox}]}}");
        Node tainted = node("n9", "role", "gpu");
        tainted.setSpec(new io.fabric8.kubernetes.api.model.NodeSpecBuilder().addNewTaint().withKey("maintenance").withEffect("NoSchedule")
                .endTaint().build());
        var plan = plan(job, List.of(), List.of(node("n1"), node("n2"), tainted));
        assertThat(plan.status().conditions.get(0).message).isEqualTo("no node fits the template: node n9 has taint maintenance:NoSchedule "
                + "that the pod does not tolerate; 2 nodes outside the nodeSelector (node n1 does not match nodeSelector role=gpu, ...)");
    }

    @Test
    void aNeverJobNeverCompletesAndANewNodeGetsAPod() {
        BroadcastJob job = job("completionPolicy: {type: Never}");
        var plan = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Succeeded", 20)), nodes(1));
        assertThat(plan.status().phase).isEqualTo("running");
        assertThat(plan.creates()).isEmpty();
        var grown = plan(after(job, plan), List.of(pod(job, "warm-aaaaa", "n1", "Succeeded", 20)), nodes(2));
        assertThat(createdOn(grown)).containsExactly("n2");
    }

    @Test
    void pastItsDeadlineAJobFailsAndItsActivePodsGo() {
        BroadcastJob job = job("completionPolicy: {activeDeadlineSeconds: 60}");
        BroadcastJob started = Serialization.clone(job);
        started.setStatus(new BroadcastJobStatus());
        started.getStatus().startTime = NOW.minusSeconds(30).toString();
        List<Pod> pods = List.of(pod(job, "warm-aaaaa", "n1", "Running", 20), pod(job, "warm-bbbbb", "n2", "Succeeded", 20));
        assertThat(plan(started, pods, nodes(2)).recheckAfter()).contains(Duration.ofSeconds(30));

        started.getStatus().startTime = NOW.minusSeconds(60).toString();
        var plan = plan(started, pods, nodes(2));
        assertThat(plan.status().phase).isEqualTo("failed");
        assertThat(plan.deletes()).extracting(d -> d.pod().getMetadata().getName()).containsExactly("warm-aaaaa");
        assertThat(plan.status().active).isZero();
        assertThat(plan.status().failed).as("Kruise counts a pod it deletes when its job fails").isEqualTo(1);
        assertThat(plan.status().conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("Failed");
            assertThat(c.reason).isEqualTo("DeadlineExceeded");
        });
        assertThat(plan.transition()).isEqualTo("JobFailed");
    }

    @Test
    void underFailFastTheFirstFailedPodFailsTheJob() {
        BroadcastJob job = job("");
        var plan = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 20), pod(job, "warm-bbbbb", "n2", "Running", 20)), nodes(3));
        assertThat(plan.status().phase).isEqualTo("failed");
        assertThat(plan.creates()).isEmpty();
        assertThat(plan.deletes()).extracting(d -> d.pod().getMetadata().getName()).containsExactly("warm-bbbbb");
        assertThat(plan.status().conditions.get(0).reason).isEqualTo("PodFailed");
        assertThat(plan.reason()).startsWith("pod warm-aaaaa on node n1 failed; failurePolicy FailFast failed the job");
    }

    @Test
    void underContinueAFailedPodIsCountedAndTheJobCarriesOnToCompletion() {
        BroadcastJob job = job("failurePolicy: {type: Continue}");
        var running = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 20)), nodes(2));
        assertThat(running.status().phase).isEqualTo("running");
        assertThat(running.status().failed).isEqualTo(1);
        assertThat(createdOn(running)).containsExactly("n2");
        var done = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 20), pod(job, "warm-bbbbb", "n2", "Succeeded", 5)), nodes(2));
        assertThat(done.status().phase).isEqualTo("completed");
        assertThat(done.status().conditions.get(0).message).isEqualTo("Job completed, 1 pods succeeded, 1 pods failed");
    }

    @Test
    void underPauseAFailedPodPausesTheJobOnceAndResumingCarriesOn() {
        BroadcastJob job = job("failurePolicy: {type: Pause}");
        List<Pod> pods = List.of(pod(job, "warm-aaaaa", "n1", "Failed", 20));
        var pausing = plan(job, pods, nodes(3));
        assertThat(pausing.pause()).isTrue();
        assertThat(pausing.seen()).extracting(p -> p.getMetadata().getName()).containsExactly("warm-aaaaa");
        assertThat(pausing.creates()).isEmpty();
        assertThat(pausing.status().phase).isEqualTo("paused");
        assertThat(pausing.transition()).isEqualTo("JobPaused");
        assertThat(pausing.status().conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("Suspended");
            assertThat(c.reason).isEqualTo("PausedByFailurePolicy");
        });

        BroadcastJob paused = after(job, pausing);
        paused.getSpec().paused = true;
        var whilePaused = plan(paused, pods, nodes(3));
        assertThat(whilePaused.pause()).isFalse();
        assertThat(whilePaused.creates()).isEmpty();
        assertThat(whilePaused.seen()).as("marked until the mark is read back").hasSize(1);
        assertThat(whilePaused.status().conditions.get(0).reason).isEqualTo("PausedByFailurePolicy");

        BroadcastJob resumed = after(paused, whilePaused);
        resumed.getSpec().paused = false;
        Pod marked = new PodBuilder(pods.get(0)).editMetadata().addToAnnotations(BroadcastJobPods.FAILURE_SEEN_ANNOTATION, "true")
                .endMetadata().build();
        var running = plan(resumed, List.of(marked), nodes(3));
        assertThat(running.pause()).isFalse();
        assertThat(running.status().phase).isEqualTo("running");
        assertThat(createdOn(running)).containsExactly("n2", "n3");
        assertThat(running.status().conditions).filteredOn(c -> c.type.equals("Suspended")).singleElement()
                .satisfies(c -> assertThat(c.status).isEqualTo("False"));

        var again = plan(after(resumed, running), List.of(marked, pod(job, "warm-bbbbb", "n2", "Failed", 1)), nodes(3));
        assertThat(again.pause()).as("a new failure pauses it again").isTrue();
        assertThat(again.seen()).extracting(p -> p.getMetadata().getName()).containsExactly("warm-bbbbb");
    }

    @Test
    void pausedTheJobMakesNoPodsButCounts() {
        BroadcastJob job = job("paused: true");
        var plan = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Running", 5)), nodes(3));
        assertThat(plan.creates()).isEmpty();
        assertThat(plan.status().phase).isEqualTo("paused");
        assertThat(plan.status().desired).isEqualTo(3);
        assertThat(plan.status().active).isEqualTo(1);
        assertThat(plan.status().conditions.get(0).reason).isEqualTo("Paused");
    }

    @Test
    void aNodesFailedPodIsRetriedUpToRestartLimitThenItsFailureCounts() {
        BroadcastJob job = job("failurePolicy: {type: FailFast, restartLimit: 2}");
        var firstRetry = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 30)), nodes(1));
        assertThat(firstRetry.creates()).containsExactly(new BroadcastJobPlan.Create("n1", 1));
        assertThat(firstRetry.status().phase).isEqualTo("running");
        assertThat(firstRetry.status().failed).as("pods that reached phase Failed, as Kruise counts").isEqualTo(1);

        var secondRetry = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 30), pod(job, "warm-bbbbb", "n1", "Failed", 20)), nodes(1));
        assertThat(secondRetry.creates()).containsExactly(new BroadcastJobPlan.Create("n1", 2));

        var exhausted = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 30), pod(job, "warm-bbbbb", "n1", "Failed", 20),
                pod(job, "warm-ccccc", "n1", "Failed", 10)), nodes(1));
        assertThat(exhausted.creates()).isEmpty();
        assertThat(exhausted.status().phase).isEqualTo("failed");
        assertThat(exhausted.status().conditions.get(0).reason).isEqualTo("RestartLimitReached");
        assertThat(exhausted.reason()).startsWith("pod warm-ccccc on node n1 failed after 2 retries (restartLimit 2 reached)");

        var recovered = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Failed", 30), pod(job, "warm-bbbbb", "n1", "Succeeded", 20)), nodes(1));
        assertThat(recovered.status().phase).as("a retry that succeeds completes the node").isEqualTo("completed");
    }

    @Test
    void aRetryCreatedInTheSecondItsFailedPodWasIsNotRetriedAgain() {
        BroadcastJob job = job("failurePolicy: {restartLimit: 3}");
        // same creation second; the retry's name sorts first
        var plan = plan(job, List.of(pod(job, "warm-zzzzz", "n1", "Failed", 5), pod(job, "warm-bbbbb", "n1", "Running", 5)), nodes(1));
        assertThat(plan.creates()).isEmpty();
        assertThat(plan.status().active).isEqualTo(1);
    }

    @Test
    void anOnFailurePodRestartedMoreThanRestartLimitCountsAsFailed() {
        BroadcastJob job = job("failurePolicy: {type: Continue, restartLimit: 1}");
        Pod restarting = new PodBuilder(pod(job, "warm-aaaaa", "n1", "Running", 30)).editSpec().withRestartPolicy("OnFailure").endSpec()
                .editStatus().addNewContainerStatus().withName("main").withRestartCount(2).endContainerStatus().endStatus().build();
        var plan = plan(job, List.of(restarting), nodes(1));
        assertThat(plan.status().failed).isEqualTo(1);
        assertThat(plan.status().active).isZero();
        assertThat(plan.status().phase).isEqualTo("completed");
        var finished = plan(after(job, plan), List.of(restarting), nodes(1));
        assertThat(finished.deletes()).as("its kubelet would restart it for ever").extracting(d -> d.pod().getMetadata().getName())
                .containsExactly("warm-aaaaa");
    }

    @Test
    void anActivePodOnANodeItNoLongerFitsIsDeleted() {
        BroadcastJob job = job("");
        Node tainted = node("n1");
        tainted.setSpec(new io.fabric8.kubernetes.api.model.NodeSpecBuilder().addNewTaint().withKey("drain").withEffect("NoExecute")
                .endTaint().build());
        var plan = plan(job, List.of(pod(job, "warm-aaaaa", "n1", "Running", 5)), List.of(tainted, node("n2")));
        assertThat(plan.deletes()).extracting(BroadcastJobPlan.Delete::reason)
                .containsExactly("it no longer fits its node: node n1 has taint drain:NoExecute that the pod does not tolerate");
        assertThat(plan.status().desired).isEqualTo(1);
    }

    @Test
    void aFailedJobDeletesPodsStillActiveWhenItLooksAgain() {
        BroadcastJob job = job("");
        BroadcastJob failed = Serialization.clone(job);
        failed.setStatus(new BroadcastJobStatus());
        failed.getStatus().phase = "failed";
        failed.getStatus().completionTime = NOW.toString();
        failed.getStatus().conditions.add(new JobCondition("Failed", "True", "PodFailed", "m", NOW.toString()));
        var plan = plan(failed, List.of(pod(job, "warm-aaaaa", "n1", "Running", 5)), nodes(1));
        assertThat(plan.deletes()).hasSize(1);
        assertThat(plan.status()).isSameAs(failed.getStatus());
        assertThat(plan.transition()).isEqualTo("JobFailed");
    }

    @Test
    void aPodTakesTheTemplateAsItIsNowWithTheJobsLabelsOwnerAndNode() {
        BroadcastJob job = job("template: {metadata: {labels: {app: warm}}, spec: {containers: [{name: main, image: busybox:2}]}}");
        job.setApiVersion(BroadcastJob.API_VERSION);
        Pod pod = BroadcastJobPods.pod(job, BroadcastJobPods.newName("warm"), "n1");
        assertThat(pod.getMetadata().getName()).matches("warm-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(Map.of("app", "warm", "broadcastjob-name", "warm",
                "broadcastjob-controller-uid", "job-uid"));
        assertThat(pod.getSpec().getNodeName()).isEqualTo("n1");
        assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("busybox:2");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("BroadcastJob");
            assertThat(o.getApiVersion()).isEqualTo("apps.kruise.io/v1beta1");
            assertThat(o.getController()).isTrue();
        });
        assertThat(job.getSpec().template.getSpec().getNodeName()).as("the template is left alone").isNull();
    }
}
