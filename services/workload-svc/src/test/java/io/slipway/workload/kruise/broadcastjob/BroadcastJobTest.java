package io.slipway.workload.kruise.broadcastjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.events.workload.WorkloadTransitioned;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.testkit.kube.SimulatedKubelet;
import io.slipway.workload.KruiseTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * BroadcastJobs run by workload-svc on a simulated cluster whose kubelet runs job pods to the exit code of their
 * annotation. Each test has its own pool of nodes (label {@code pool}) that its job selects, and its own job.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "kubelet", value = "true"),
        @ResourceArg(name = "nodes", value = "0"),
        @ResourceArg(name = "slipway.workload.controllers", value = "true")})
class BroadcastJobTest {
    static final String NS = "default";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static KubernetesClient client;

    static synchronized KubernetesClient k() {
        if (client == null) {
            client = KruiseTestCluster.client();
        }
        return client;
    }

    // ---- the cluster

    static Node node(String name, String pool, Taint... taints) {
        return k().nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of("pool", pool)).endMetadata()
                .withNewSpec().withTaints(taints).endSpec().build()).create();
    }

    static void nodes(String pool, int count) {
        for (int i = 1; i <= count; i++) {
            node(pool + "-" + i, pool);
        }
    }

    static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    /** A job on the nodes of {@code pool}: its pods run {@code runMillis} and exit with {@code exitCode}. */
    static BroadcastJob create(String name, String pool, int exitCode, int runMillis, String spec) {
        return create(name, """
                template:
                  metadata:
                    labels: {app: %s}
                    annotations: {%s: "%d", %s: "%d"}
                  spec:
                    restartPolicy: Never
                    nodeSelector: {pool: %s}
                    containers: [{name: main, image: registry.local/warm:1}]
                """.formatted(name, SimulatedKubelet.EXIT_CODE_ANNOTATION, exitCode, SimulatedKubelet.RUN_MILLIS_ANNOTATION, runMillis, pool)
                + spec);
    }

    static BroadcastJob create(String name, String spec) {
        BroadcastJob job = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: BroadcastJob
                metadata: {name: %s, namespace: default}
                spec:
                """.formatted(name) + spec.indent(2), BroadcastJob.class);
        return k().resources(BroadcastJob.class).inNamespace(NS).resource(job).create();
    }

    static BroadcastJob job(String name) {
        return k().resources(BroadcastJob.class).inNamespace(NS).withName(name).get();
    }

    static BroadcastJobStatus status(String name) {
        BroadcastJob job = job(name);
        assertThat(job).as("job %s", name).isNotNull();
        assertThat(job.getStatus()).as("status of job %s", name).isNotNull();
        return job.getStatus();
    }

    static List<Pod> pods(String job) {
        return k().pods().inNamespace(NS).withLabel(BroadcastJobPods.JOB_NAME_LABEL, job).list().getItems();
    }

    static String phase(Pod p) {
        return p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
    }

    static JobCondition condition(BroadcastJobStatus status, String type) {
        return status.conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }


    static void awaitPhase(String job, String phase) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(job).phase).isEqualTo(phase));
    }

    // ---- the behaviour

    @Test
    void everyNodeTheTemplateFitsGetsOnePodBoundToIt() {
        node("fit-plain", "fit");
        node("fit-tolerated", "fit", taint("dedicated", "batch", "NoSchedule"));
        node("fit-evicting", "fit", taint("evict", null, "NoExecute"));
        Node cordoned = node("fit-cordoned", "fit");
        KruiseTestCluster.edit(k().nodes().withName(cordoned.getMetadata().getName()), n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec().build());
        node("fit-elsewhere", "other");
        BroadcastJob job = create("fit", """
                template:
                  spec:
                    restartPolicy: Never
                    nodeSelector: {pool: fit}
                    tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
                    containers: [{name: main, image: registry.local/warm:1}]
                """);

        awaitPhase("fit", "completed");
        List<Pod> pods = pods("fit");
        assertThat(pods).extracting(p -> p.getSpec().getNodeName()).containsExactlyInAnyOrder("fit-plain", "fit-tolerated");
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getMetadata().getName()).matches("fit-[bcdfghjklmnpqrstvwxz2456789]{5}");
            assertThat(p.getMetadata().getLabels()).containsEntry("broadcastjob-name", "fit")
                    .containsEntry("broadcastjob-controller-uid", job.getMetadata().getUid());
            assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid());
                assertThat(o.getController()).isTrue();
            });
            assertThat(phase(p)).isEqualTo("Succeeded");
        });
        BroadcastJobStatus s = status("fit");
        assertThat(s.desired).isEqualTo(2);
        assertThat(s.succeeded).isEqualTo(2);
        assertThat(s.active).isZero();
        assertThat(condition(s, "Complete").status).isEqualTo("True");
    }

    @Test
    void parallelismTwoRunsAtMostTwoOfFivePodsAtOnce() {
        nodes("par", 5);
        create("par", "par", 0, 700, "parallelism: 2\n");
        AtomicInteger most = new AtomicInteger();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            int running = (int) pods("par").stream().filter(p -> !Objects.equals(phase(p), "Succeeded")).count();
            most.accumulateAndGet(running, Math::max);
            BroadcastJob j = job("par");
            return j.getStatus() != null && "completed".equals(j.getStatus().phase);
        });
        assertThat(most.get()).isEqualTo(2);
        assertThat(pods("par")).hasSize(5);
        assertThat(status("par").succeeded).isEqualTo(5);
    }

    @Test
    void anAlwaysJobCompletesAndIsDeletedItsTtlAfter() {
        nodes("ttl", 2);
        BroadcastJob job = create("ttl", "ttl", 0, 100, "completionPolicy: {type: Always, ttlSecondsAfterFinished: 2}\n");

        awaitPhase("ttl", "completed");
        BroadcastJobStatus s = status("ttl");
        assertThat(s.completionTime).isNotNull();
        assertThat(condition(s, "Complete").message).isEqualTo("Job completed, 2 pods succeeded, 0 pods failed");
        await().atMost(WAIT).untilAsserted(() -> assertThat(job("ttl")).isNull());
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods("ttl")).as("collected with their owner").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(job.getMetadata().getUid()))
                .extracting(WorkloadTransitioned::getTransition).contains("JobRunning", "PodCreated", "JobCompleted"));
    }

    @Test
    void pastActiveDeadlineSecondsTheJobFailsAndItsPodsAreDeleted() {
        nodes("deadline", 2);
        BroadcastJob job = create("deadline", "deadline", 0, 600_000, "completionPolicy: {activeDeadlineSeconds: 2}\n");
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods("deadline")).hasSize(2).allMatch(p -> "Running".equals(phase(p))));

        awaitPhase("deadline", "failed");
        BroadcastJobStatus s = status("deadline");
        assertThat(condition(s, "Failed").reason).isEqualTo("DeadlineExceeded");
        assertThat(s.failed).isEqualTo(2);
        assertThat(s.active).isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods("deadline")).isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(job.getMetadata().getUid()))
                .filteredOn(t -> t.getTransition().equals("JobFailed")).singleElement()
                .satisfies(t -> assertThat(t.getReason()).contains("activeDeadlineSeconds (2s")));
    }

    @Test
    void underFailFastTheFirstFailedPodFailsTheJob() {
        nodes("failfast", 3);
        BroadcastJob job = create("failfast", "failfast", 1, 100, "parallelism: 1\n");

        awaitPhase("failfast", "failed");
        BroadcastJobStatus s = status("failfast");
        assertThat(condition(s, "Failed").reason).isEqualTo("PodFailed");
        assertThat(pods("failfast")).as("no pod after the failed one").singleElement().satisfies(p -> assertThat(phase(p)).isEqualTo("Failed"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(job.getMetadata().getUid()))
                .filteredOn(t -> t.getTransition().equals("JobFailed")).singleElement()
                .satisfies(t -> assertThat(t.getReason()).contains("failurePolicy FailFast failed the job")));
    }

    @Test
    void underContinueFailedPodsAreCountedAndTheJobCarriesOn() {
        nodes("continue", 3);
        create("continue", "continue", 1, 100, "parallelism: 1\nfailurePolicy: {type: Continue}\n");

        awaitPhase("continue", "completed");
        BroadcastJobStatus s = status("continue");
        assertThat(s.failed).isEqualTo(3);
        assertThat(s.succeeded).isZero();
        assertThat(pods("continue")).hasSize(3).allMatch(p -> "Failed".equals(phase(p)));
    }

    @Test
    void failurePolicyPauseSetsSpecPausedAndClearingItResumes() {
        nodes("pause", 3);
        create("pause", "pause", 1, 100, "parallelism: 1\nfailurePolicy: {type: Pause}\n");

        await().atMost(WAIT).untilAsserted(() -> {
            BroadcastJob j = job("pause");
            assertThat(j.getSpec().paused).as("set on the object").isTrue();
            assertThat(j.getStatus().phase).isEqualTo("paused");
            assertThat(condition(j.getStatus(), "Suspended").reason).isEqualTo("PausedByFailurePolicy");
        });
        assertThat(pods("pause")).singleElement().satisfies(p -> assertThat(phase(p)).isEqualTo("Failed"));

        KruiseTestCluster.edit(k().resources(BroadcastJob.class).inNamespace(NS).withName("pause"), j -> {
            j.getSpec().paused = false;
            j.getSpec().template.getMetadata().getAnnotations().put(SimulatedKubelet.EXIT_CODE_ANNOTATION, "0");
            return j;
        });
        awaitPhase("pause", "completed");
        BroadcastJobStatus s = status("pause");
        assertThat(s.succeeded).isEqualTo(2);
        assertThat(s.failed).isEqualTo(1);
        assertThat(condition(s, "Suspended").status).isEqualTo("False");
        assertThat(job("pause").getSpec().paused).isFalse();
    }

    @Test
    void aNodesFailedPodIsRetriedRestartLimitTimesThenTheFailureCounts() {
        nodes("retry", 1);
        create("retry", "retry", 1, 100, "failurePolicy: {type: FailFast, restartLimit: 2}\n");

        awaitPhase("retry", "failed");
        assertThat(condition(status("retry"), "Failed").reason).isEqualTo("RestartLimitReached");
        assertThat(pods("retry")).hasSize(3).allSatisfy(p -> {
            assertThat(p.getSpec().getNodeName()).isEqualTo("retry-1");
            assertThat(phase(p)).isEqualTo("Failed");
        });
        assertThat(status("retry").failed).isEqualTo(3);
    }

    @Test
    void aNeverJobRunsOnAndGivesANewNodeAPod() {
        nodes("never", 1);
        create("never", "never", 0, 100, "completionPolicy: {type: Never}\n");
        await().atMost(WAIT).untilAsserted(() -> assertThat(status("never").succeeded).isEqualTo(1));
        assertThat(status("never").phase).isEqualTo("running");

        node("never-2", "never");
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods("never")).extracting(p -> p.getSpec().getNodeName())
                .containsExactlyInAnyOrder("never-1", "never-2"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status("never").succeeded).isEqualTo(2));
        assertThat(status("never").phase).isEqualTo("running");
        assertThat(status("never").desired).isEqualTo(2);
    }

    @Test
    void aTemplateEditedBeforeCompletionShapesThePodsNotYetCreated() {
        nodes("edit", 2);
        create("edit", "edit", 0, 1500, "parallelism: 1\n");
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods("edit")).hasSize(1));

        KruiseTestCluster.edit(k().resources(BroadcastJob.class).inNamespace(NS).withName("edit"), j -> {
            j.getSpec().template.getSpec().getContainers().get(0).setImage("registry.local/warm:2");
            return j;
        });
        awaitPhase("edit", "completed");
        List<Pod> pods = new ArrayList<>(pods("edit"));
        pods.sort(Comparator.comparing(p -> p.getSpec().getNodeName()));
        assertThat(pods).extracting(p -> p.getSpec().getContainers().get(0).getImage())
                .containsExactly("registry.local/warm:1", "registry.local/warm:2");
    }

    @Test
    void aJobNoNodeFitsIsStalledAndSaysWhy() {
        nodes("stalled", 1);
        KruiseTestCluster.edit(k().nodes().withName("stalled-1"), n -> new NodeBuilder(n).editSpec().withTaints(taint("maintenance", null, "NoSchedule"))
                .endSpec().build());
        create("stalled", "stalled", 0, 100, "");

        await().atMost(WAIT).untilAsserted(() -> {
            JobCondition stalled = condition(status("stalled"), "Stalled");
            assertThat(stalled).isNotNull();
            assertThat(stalled.reason).isEqualTo("NoEligibleNode");
            assertThat(stalled.message).contains("node stalled-1 has taint maintenance:NoSchedule that the pod does not tolerate");
        });
        assertThat(pods("stalled")).isEmpty();

        KruiseTestCluster.edit(k().nodes().withName("stalled-1"), n -> new NodeBuilder(n).editSpec().withTaints().endSpec().build());
        awaitPhase("stalled", "completed");
        assertThat(condition(status("stalled"), "Stalled").status).isEqualTo("False");
    }
}
