package io.slipway.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated kubelet reports what a real kubelet reports while it runs, restarts and stops a pod's containers. */
class SimulatedKubeletTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NS = "team-a";

    private SimulatedCluster cluster;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start(SimulationOptions.defaults());
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private PodResource pod(String name) {
        return cluster.client().pods().inNamespace(NS).withName(name);
    }

    private Pod create(PodBuilder pod) {
        return cluster.client().pods().inNamespace(NS).resource(pod.build()).create();
    }

    private static PodBuilder web(String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withLabels(Map.of("app", "web")).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("app").withImage("registry.local/app:1").endContainer()
                .addNewContainer().withName("proxy").withImage("registry.local/proxy:1").endContainer()
                .endSpec();
    }

    private Pod awaitPod(String name, Predicate<Pod> condition) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> pod(name).get(), p -> p != null && condition.test(p));
    }

    private static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    private static boolean ready(Pod pod) {
        PodCondition ready = condition(pod, "Ready");
        return ready != null && "True".equals(ready.getStatus());
    }

    private static ContainerStatus status(Pod pod, String container) {
        return pod.getStatus().getContainerStatuses().stream().filter(c -> c.getName().equals(container)).findFirst().orElseThrow();
    }

    @Test
    void aPodGoesFromPendingToRunningAndReadyWithWhatARuntimeReports() {
        create(web("web-0", Map.of(SimulatedKubelet.START_MILLIS_ANNOTATION, "400")));
        Pod pending = awaitPod("web-0", p -> p.getStatus().getHostIP() != null);
        assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(status(pending, "app").getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        assertThat(pending.getStatus().getPodIP()).startsWith("10.");
        assertThat(pending.getStatus().getStartTime()).isNotNull();
        assertThat(pending.getMetadata().getFinalizers()).containsExactly(SimulatedKubelet.FINALIZER);
        assertThat(condition(pending, "Ready").getReason()).isEqualTo("ContainersNotReady");
        assertThat(condition(pending, "Ready").getMessage()).isEqualTo("containers with unready status: [app proxy]");

        Pod running = awaitPod("web-0", SimulatedKubeletTest::ready);
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");
        assertThat(running.getStatus().getContainerStatuses()).extracting(ContainerStatus::getName).containsExactly("app", "proxy");
        ContainerStatus app = status(running, "app");
        assertThat(app.getImage()).isEqualTo("registry.local/app:1");
        assertThat(app.getImageID()).isEqualTo(cluster.kubelet().imageId("registry.local/app:1")).matches("registry\\.local/app@sha256:[0-9a-f]{64}");
        assertThat(app.getContainerID()).matches("containerd://[0-9a-f]{64}");
        assertThat(app.getState().getRunning().getStartedAt()).isNotNull();
        assertThat(app.getRestartCount()).isZero();
        assertThat(app.getReady()).isTrue();
        assertThat(app.getStarted()).isTrue();
        assertThat(running.getStatus().getConditions()).extracting(PodCondition::getType)
                .containsExactly("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");
        assertThat(running.getStatus().getConditions()).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(running.getStatus().getHostIP()).isEqualTo(pending.getStatus().getHostIP());
        assertThat(running.getMetadata().getGeneration()).as("the kubelet writes status only").isEqualTo(1L);
        assertThat(running.getSpec()).isEqualTo(pending.getSpec());
    }

    @Test
    void readyWaitsForEveryReadinessGateConditionToBeTrue() {
        create(web("web-0", Map.of()).editSpec().addNewReadinessGate().withConditionType("InPlaceUpdateReady").endReadinessGate().endSpec());
        Pod running = awaitPod("web-0", p -> condition(p, "ContainersReady") != null && "True".equals(condition(p, "ContainersReady").getStatus()));
        awaitPod("web-0", p -> "ReadinessGatesNotReady".equals(condition(p, "Ready").getReason()));
        assertThat(condition(pod("web-0").get(), "Ready").getMessage())
                .isEqualTo("corresponding condition of pod readiness gate \"InPlaceUpdateReady\" does not exist.");
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");

        setGate("True");
        Pod ready = awaitPod("web-0", SimulatedKubeletTest::ready);
        assertThat(condition(ready, "InPlaceUpdateReady").getStatus()).as("the controller's condition is kept").isEqualTo("True");

        setGate("False");
        Pod gated = awaitPod("web-0", p -> !ready(p));
        assertThat(condition(gated, "Ready").getMessage()).isEqualTo("the status of pod readiness gate \"InPlaceUpdateReady\" is not \"True\", but False");
    }

    /** What a controller does: patch its own condition through the status subresource. */
    private void setGate(String value) {
        pod("web-0").editStatus(p -> {
            List<PodCondition> conditions = new ArrayList<>(p.getStatus().getConditions());
            conditions.removeIf(c -> c.getType().equals("InPlaceUpdateReady"));
            conditions.add(new PodConditionBuilder().withType("InPlaceUpdateReady").withStatus(value)
                    .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build());
            p.getStatus().setConditions(conditions);
            return p;
        });
    }

    @Test
    void aChangedImageRestartsOnlyThatContainerInPlace() {
        Pod before = create(web("web-0", Map.of(SimulatedKubelet.START_MILLIS_ANNOTATION, "300")));
        Pod running = awaitPod("web-0", SimulatedKubeletTest::ready);
        ContainerStatus app = status(running, "app");
        ContainerStatus proxy = status(running, "proxy");
        List<Boolean> readiness = new CopyOnWriteArrayList<>();
        try (Watch ignored = cluster.client().pods().inNamespace(NS).withName("web-0").watch(new ListOptionsBuilder()
                .withResourceVersion(running.getMetadata().getResourceVersion()).build(), new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        readiness.add(ready(pod));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            Instant changedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            pod("web-0").edit(p -> {
                p.getSpec().getContainers().get(0).setImage("registry.local/app:2");
                return p;
            });
            Pod updated = awaitPod("web-0", p -> ready(p) && status(p, "app").getImage().equals("registry.local/app:2"));
            ContainerStatus newApp = status(updated, "app");
            assertThat(newApp.getImageID()).isEqualTo(cluster.kubelet().imageId("registry.local/app:2")).isNotEqualTo(app.getImageID());
            assertThat(newApp.getContainerID()).isNotEqualTo(app.getContainerID());
            assertThat(newApp.getRestartCount()).isEqualTo(1);
            assertThat(Instant.parse(newApp.getState().getRunning().getStartedAt())).isAfterOrEqualTo(changedAt);
            assertThat(newApp.getLastState().getTerminated().getContainerID()).isEqualTo(app.getContainerID());
            assertThat(status(updated, "proxy").getContainerID()).isEqualTo(proxy.getContainerID());
            assertThat(status(updated, "proxy").getState().getRunning().getStartedAt()).isEqualTo(proxy.getState().getRunning().getStartedAt());
            assertThat(status(updated, "proxy").getRestartCount()).isZero();
            assertThat(updated.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
            await().atMost(WAIT).until(() -> !readiness.isEmpty() && readiness.get(readiness.size() - 1));
            assertThat(readiness).as("not Ready while the container restarted").contains(false);
        }
    }

    @Test
    void twoTagsOfOneDigestShareAnImageIdAndTheConfigMapCanMoveATag() {
        String digest = "sha256:" + "ab".repeat(32);
        cluster.kubelet().digest("registry.local/app:1", digest).digest("registry.local/app:stable", digest);
        assertThat(cluster.kubelet().imageId("registry.local/app:stable")).isEqualTo("registry.local/app@" + digest)
                .isEqualTo(cluster.kubelet().imageId("registry.local/app:1"));
        assertThat(cluster.kubelet().imageId("registry.local/other:1")).as("derived, the same every run")
                .isEqualTo(ImageReference.parse("registry.local/other:1").imageId(ImageReference.parse("registry.local/other:1").derivedDigest()));

        String moved = "sha256:" + "cd".repeat(32);
        cluster.client().configMaps().inNamespace(SimulatedKubelet.DIGESTS_NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(SimulatedKubelet.DIGESTS_CONFIG_MAP).endMetadata()
                .withData(Map.of("app", "registry.local/app:1@" + moved)).build()).create();
        await().atMost(WAIT).until(() -> cluster.kubelet().imageId("registry.local/app:1").equals("registry.local/app@" + moved));
        create(web("web-0", Map.of()));
        assertThat(status(awaitPod("web-0", SimulatedKubeletTest::ready), "app").getImageID()).isEqualTo("registry.local/app@" + moved);
    }

    @Test
    void aJobPodEndsWithItsContainersExitCode() {
        create(job("ok", "Never", Map.of()));
        create(job("fails", "Never", Map.of(SimulatedKubelet.EXIT_CODE_ANNOTATION, "3", SimulatedKubelet.RUN_MILLIS_ANNOTATION, "10")));
        Pod ok = awaitPod("ok", p -> "Succeeded".equals(p.getStatus().getPhase()));
        assertThat(status(ok, "work").getState().getTerminated().getExitCode()).isZero();
        assertThat(status(ok, "work").getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(status(ok, "work").getState().getTerminated().getFinishedAt()).isNotNull();
        assertThat(condition(ok, "Ready").getReason()).isEqualTo("PodCompleted");

        Pod failed = awaitPod("fails", p -> "Failed".equals(p.getStatus().getPhase()));
        assertThat(status(failed, "work").getState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(status(failed, "work").getState().getTerminated().getReason()).isEqualTo("Error");
    }

    @Test
    void anOnFailurePodRestartsItsFailedContainerAsAKubeletDoes() {
        create(job("retry", "OnFailure", Map.of(SimulatedKubelet.EXIT_CODE_ANNOTATION, "1", SimulatedKubelet.RUN_MILLIS_ANNOTATION, "20")));
        Pod retried = awaitPod("retry", p -> !p.getStatus().getContainerStatuses().isEmpty() && status(p, "work").getRestartCount() >= 2);
        assertThat(retried.getStatus().getPhase()).isEqualTo("Running");
        assertThat(status(retried, "work").getLastState().getTerminated().getExitCode()).isEqualTo(1);
    }

    private static PodBuilder job(String name, String restartPolicy, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy)
                .addNewContainer().withName("work").withImage("registry.local/job:1").endContainer().endSpec();
    }

    @Test
    void aDeletedPodStopsAfterTheTerminationDelayAndThenGoes() {
        Pod created = create(web("web-0", Map.of()));
        awaitPod("web-0", SimulatedKubeletTest::ready);
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch ignored = cluster.client().pods().inNamespace(NS).withName("web-0").watch(new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                seen.add(action + "/" + pod.getMetadata().getUid() + "/" + pod.getStatus().getPhase() + "/"
                        + (pod.getMetadata().getDeletionTimestamp() != null));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            await().atMost(WAIT).until(() -> !seen.isEmpty());
            pod("web-0").delete();
            String uid = created.getMetadata().getUid();
            await().atMost(WAIT).until(() -> pod("web-0").get() == null);
            await().atMost(WAIT).until(() -> seen.get(seen.size() - 1).startsWith("DELETED"));
            assertThat(seen).contains("MODIFIED/" + uid + "/Running/true", "MODIFIED/" + uid + "/Succeeded/true",
                    "DELETED/" + uid + "/Succeeded/true");
        }
    }

    @Test
    void aDeleteWithoutGraceStillGoesThroughTheKubeletsFinalizer() {
        create(web("web-0", Map.of()).editMetadata().withFinalizers("example.com/hold").endMetadata());
        awaitPod("web-0", p -> p.getMetadata().getFinalizers().contains(SimulatedKubelet.FINALIZER) && ready(p));
        pod("web-0").withGracePeriod(0).delete();
        Pod held = awaitPod("web-0", p -> !p.getMetadata().getFinalizers().contains(SimulatedKubelet.FINALIZER));
        assertThat(held.getMetadata().getDeletionGracePeriodSeconds()).isZero();
        assertThat(held.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(held.getStatus().getContainerStatuses()).allSatisfy(c -> assertThat(c.getState().getTerminated()).isNotNull());

        pod("web-0").edit(p -> {
            p.getMetadata().setFinalizers(List.of());
            return p;
        });
        await().atMost(WAIT).until(() -> pod("web-0").get() == null);
    }

    @Test
    void withoutDelaysAPodIsReadyAtOnce() {
        try (SimulatedCluster fast = SimulatedCluster.start(SimulationOptions.defaults().withNodes(1)
                .withContainerStartDelay(Duration.ZERO).withReadinessDelay(Duration.ZERO).withTerminationDelay(Duration.ZERO))) {
            fast.client().pods().inNamespace(NS).resource(web("web-0", Map.of()).build()).create();
            await().atMost(WAIT).until(() -> ready(fast.client().pods().inNamespace(NS).withName("web-0").get()));
            fast.client().pods().inNamespace(NS).withName("web-0").delete();
            await().atMost(WAIT).until(() -> fast.client().pods().inNamespace(NS).withName("web-0").get() == null);
        }
    }

    @Test
    void initContainersHaveCompletedWhenThePodRuns() {
        create(web("web-0", Map.of()).editSpec().addNewInitContainer().withName("setup").withImage("registry.local/setup:1").endInitContainer().endSpec());
        Pod running = awaitPod("web-0", SimulatedKubeletTest::ready);
        ContainerStatus setup = running.getStatus().getInitContainerStatuses().get(0);
        assertThat(setup.getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(setup.getReady()).isTrue();
        assertThat(setup.getImageID()).isEqualTo(cluster.kubelet().imageId("registry.local/setup:1"));
    }
}
