package io.slipway.workload.kruise.statefulset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
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
import io.slipway.workload.kruise.Revisions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Advanced StatefulSets run by workload-svc on a simulated cluster whose kubelet starts, readies and restarts the
 * containers: ordered and parallel pod management, in-place and recreating updates, partition, maxUnavailable, pause,
 * claims and the transitions published on slipway.workload.events. Each test has its own namespace; pods are
 * observed through a watch, so what happened in between two looks is seen too.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "kubelet", value = "true"), @ResourceArg(name = "nodes", value = "2"),
        @ResourceArg(name = "start-millis", value = "100"), @ResourceArg(name = "ready-millis", value = "100"),
        @ResourceArg(name = "termination-millis", value = "100"),
        @ResourceArg(name = "slipway.workload.controllers", value = "true")})
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "cluster", value = "east"),
        @ResourceArg(name = "config-prefix", value = "slipway.workload.clusters"), @ResourceArg(name = "kubelet", value = "true"),
        @ResourceArg(name = "nodes", value = "1"), @ResourceArg(name = "start-millis", value = "100"),
        @ResourceArg(name = "ready-millis", value = "100"), @ResourceArg(name = "termination-millis", value = "100")})
class AdvancedStatefulSetTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration QUIET = Duration.ofMillis(1500);
    static final String IN_PLACE = "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible}}\n";
    private static KubernetesClient client;

    static synchronized KubernetesClient k() {
        if (client == null) {
            client = KruiseTestCluster.client();
        }
        return client;
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    // ---- the set

    /** A set {@code name} in namespace {@code ns} whose pods run containers main ({@code image}) and log; then {@code spec}. */
    static AdvancedStatefulSet create(String ns, String name, int replicas, String image, String spec) {
        AdvancedStatefulSet set = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers:
                      - {name: main, image: "%s"}
                      - {name: log, image: registry.local/log:1}
                """.formatted(name, ns, replicas, name, name, image) + spec.indent(2), AdvancedStatefulSet.class);
        return k().resources(AdvancedStatefulSet.class).inNamespace(ns).resource(set).create();
    }

    static AdvancedStatefulSet create(String ns, String name, int replicas, String spec) {
        return create(ns, name, replicas, "registry.local/app:1", spec);
    }

    static AdvancedStatefulSet set(String ns, String name) {
        return k().resources(AdvancedStatefulSet.class).inNamespace(ns).withName(name).get();
    }

    /** Changes the set's spec as a user would: read, change, write, and again from a fresh read when the controller wrote first. */
    static AdvancedStatefulSet edit(String ns, String name, Consumer<StatefulSetSpec> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return k().resources(AdvancedStatefulSet.class).inNamespace(ns).withName(name).edit(s -> {
                    change.accept(s.getSpec());
                    return s;
                });
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    static void setImage(StatefulSetSpec spec, String image) {
        spec.template.getSpec().getContainers().get(0).setImage(image);
    }

    static StatefulSetStatus status(String ns, String name) {
        AdvancedStatefulSet set = set(ns, name);
        assertThat(set.getStatus()).as("status of %s/%s", ns, name).isNotNull();
        return set.getStatus();
    }

    static Condition condition(StatefulSetStatus status, String type) {
        return status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /** The controller has seen the set's spec as it is now and every pod it lets update runs the update, ready. */
    static StatefulSetStatus awaitRolledOut(String ns, String name) {
        await().atMost(WAIT).untilAsserted(() -> {
            AdvancedStatefulSet set = set(ns, name);
            assertThat(set.getStatus()).isNotNull();
            assertThat(set.getStatus().observedGeneration).isEqualTo(set.getMetadata().getGeneration());
            Condition finished = condition(set.getStatus(), StatefulSetReconciler.ROLLED_OUT);
            assertThat(finished).isNotNull();
            assertThat(finished.getStatus()).as(finished.getMessage()).isEqualTo("True");
        });
        return status(ns, name);
    }

    static List<Pod> pods(String ns) {
        List<Pod> pods = new ArrayList<>(k().pods().inNamespace(ns).list().getItems());
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        return pods;
    }

    static Map<String, Pod> byName(List<Pod> pods) {
        return pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity()));
    }

    static List<String> names(List<? extends HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).sorted().toList();
    }

    static Pod pod(String ns, String name) {
        return k().pods().inNamespace(ns).withName(name).get();
    }

    static String image(Pod pod, String container) {
        return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container)).findFirst().orElseThrow().getImage();
    }

    static ContainerStatus container(Pod pod, String name) {
        return PodState.containerStatus(pod, name).orElseThrow();
    }

    static String gate(Pod pod) {
        return PodState.condition(pod, InPlaceUpdate.READINESS_GATE).map(PodCondition::getStatus).orElse("-");
    }

    /** The pods of {@code ns} with no deletion pending, all ready. */
    static List<Pod> awaitReadyPods(String ns, int count) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods(ns)).hasSize(count)
                .allMatch(p -> PodState.ready(p) && !PodState.terminating(p)));
        return pods(ns);
    }

    static List<ControllerRevision> revisions(AdvancedStatefulSet set) {
        return k().apps().controllerRevisions().inNamespace(set.getMetadata().getNamespace()).list().getItems().stream()
                .filter(r -> StatefulSetReconciler.ownedBy(r.getMetadata().getOwnerReferences(), set.getMetadata().getUid())).toList();
    }


    /**
     * Every change to the pods of one namespace, in the API server's order, and the most pods out of service at once:
     * not ready, being deleted, gone, or with their in-place update gate closed.
     */
    static final class PodHistory implements Watcher<Pod>, AutoCloseable {
        record Seen(Action action, String pod, String uid, boolean ready, String gate, boolean deleting, String revision, String image) {
            @Override
            public String toString() {
                return action + " " + pod + " uid=" + uid.substring(uid.length() - 8) + " ready=" + ready + " gate=" + gate + " deleting=" + deleting
                        + " rev=" + revision + " image=" + image;
            }
        }

        private final List<Seen> seen = new ArrayList<>();
        private final Map<String, Boolean> out = new HashMap<>();
        private int peakOut;
        private final Watch watch;

        PodHistory(String ns) {
            watch = k().pods().inNamespace(ns).watch(this);
        }

        @Override
        public synchronized void eventReceived(Action action, Pod pod) {
            Seen s = new Seen(action, pod.getMetadata().getName(), pod.getMetadata().getUid(), PodState.ready(pod), gate(pod),
                    PodState.terminating(pod), StatefulSetRollout.revisionOf(pod), image(pod, "main"));
            seen.add(s);
            out.put(s.pod(), action == Action.DELETED || s.deleting() || !s.ready() || "False".equals(s.gate()));
            peakOut = Math.max(peakOut, (int) out.values().stream().filter(b -> b).count());
        }

        synchronized List<Seen> seen() {
            return List.copyOf(seen);
        }

        synchronized int peakOut() {
            return peakOut;
        }

        /** The index of the first change that {@code matches}, or -1. */
        synchronized int first(Predicate<Seen> matches) {
            for (int i = 0; i < seen.size(); i++) {
                if (matches.test(seen.get(i))) {
                    return i;
                }
            }
            return -1;
        }

        /** The index of the last change that {@code matches}, or -1. */
        synchronized int last(Predicate<Seen> matches) {
            for (int i = seen.size() - 1; i >= 0; i--) {
                if (matches.test(seen.get(i))) {
                    return i;
                }
            }
            return -1;
        }

        String timeline() {
            return seen().stream().map(Seen::toString).collect(Collectors.joining("\n"));
        }

        @Override
        public void onClose(WatcherException cause) {
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    // ---- the behaviour

    @Test
    void orderedReadyCreatesEachPodAfterItsPredecessorIsReadyAndScalesDownFromTheHighestOrdinalOneAtATime() {
        String ns = "asts-ordered";
        try (PodHistory history = new PodHistory(ns)) {
            create(ns, "ord", 3, "");
            awaitReadyPods(ns, 3);
            awaitRolledOut(ns, "ord");
            for (int n = 1; n < 3; n++) {
                String pod = "ord-" + n;
                String predecessor = "ord-" + (n - 1);
                int created = history.first(s -> s.action() == Watcher.Action.ADDED && s.pod().equals(pod));
                int predecessorReady = history.first(s -> s.pod().equals(predecessor) && s.ready());
                assertThat(predecessorReady).as("%s ready\n%s", predecessor, history.timeline()).isNotNegative();
                assertThat(created).as("%s created after %s was ready\n%s", pod, predecessor, history.timeline()).isGreaterThan(predecessorReady);
            }
            assertThat(pods(ns)).allSatisfy(p -> {
                int ordinal = StatefulSetRollout.ordinalOf("ord", p);
                assertThat(p.getSpec().getHostname()).isEqualTo("ord-" + ordinal);
                assertThat(p.getMetadata().getLabels()).containsEntry(StatefulSetRollout.POD_NAME_LABEL, "ord-" + ordinal)
                        .containsEntry(StatefulSetRollout.POD_INDEX_LABEL, Integer.toString(ordinal));
            });
            assertThat(names(pods(ns))).containsExactly("ord-0", "ord-1", "ord-2");

            // a deleted pod comes back under its own name
            String oldUid = pod(ns, "ord-1").getMetadata().getUid();
            k().pods().inNamespace(ns).withName("ord-1").delete();
            await().atMost(WAIT).untilAsserted(() -> {
                Pod again = pod(ns, "ord-1");
                assertThat(again).isNotNull();
                assertThat(again.getMetadata().getUid()).isNotEqualTo(oldUid);
                assertThat(PodState.ready(again)).isTrue();
            });

            edit(ns, "ord", s -> s.replicas = 1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(names(pods(ns))).as(history::timeline).containsExactly("ord-0"));
            int twoGone = history.first(s -> s.action() == Watcher.Action.DELETED && s.pod().equals("ord-2"));
            int oneDeleting = history.first(s -> s.pod().equals("ord-1") && s.deleting() && !s.uid().equals(oldUid));
            int twoDeleting = history.first(s -> s.pod().equals("ord-2") && s.deleting());
            assertThat(twoDeleting).as("ord-2 deleted first\n%s", history.timeline()).isNotNegative().isLessThan(oneDeleting);
            assertThat(oneDeleting).as("ord-1 deleted once ord-2 was gone\n%s", history.timeline()).isGreaterThan(twoGone);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(ns, "ord").replicas).isEqualTo(1));
    }

    @Test
    void parallelCreatesEveryPodAtOnceAndSkipsTheReservedOrdinal() {
        String ns = "asts-reserve";
        try (PodHistory history = new PodHistory(ns)) {
            create(ns, "res", 3, """
                    podManagementPolicy: Parallel
                    reserveOrdinals: [1]
                    """);
            awaitReadyPods(ns, 3);
            assertThat(names(pods(ns))).containsExactly("res-0", "res-2", "res-3");
            int firstReady = history.first(PodHistory.Seen::ready);
            int lastCreated = history.last(s -> s.action() == Watcher.Action.ADDED);
            assertThat(lastCreated).as("every pod created before any was ready\n%s", history.timeline()).isLessThan(firstReady);
            assertThat(history.first(s -> s.pod().equals("res-1"))).as("no pod at the reserved ordinal").isEqualTo(-1);
        }
        assertThat(awaitRolledOut(ns, "res").readyReplicas).isEqualTo(3);
    }

    @Test
    void anImageChangeUpdatesEachPodInPlaceRestartingOnlyThatContainer() {
        String ns = "asts-inplace";
        AdvancedStatefulSet set = create(ns, "inp", 2, IN_PLACE);
        awaitRolledOut(ns, "inp");
        Map<String, Pod> before = byName(awaitReadyPods(ns, 2));
        String oldRevision = status(ns, "inp").updateRevision;
        assertThat(before.values()).allSatisfy(p -> assertThat(InPlaceUpdate.hasReadinessGate(p)).isTrue());

        try (PodHistory history = new PodHistory(ns)) {
            edit(ns, "inp", s -> setImage(s, "registry.local/app:2"));
            StatefulSetStatus s = awaitRolledOut(ns, "inp");
            assertThat(s.updatedReplicas).isEqualTo(2);
            assertThat(s.updatedReadyReplicas).isEqualTo(2);
            assertThat(s.readyReplicas).isEqualTo(2);
            assertThat(s.updateRevision).isNotEqualTo(oldRevision);
            assertThat(s.currentRevision).isEqualTo(s.updateRevision);

            for (Pod now : pods(ns)) {
                String name = now.getMetadata().getName();
                Pod old = before.get(name);
                assertThat(now.getMetadata().getUid()).as("%s updated in place", name).isEqualTo(old.getMetadata().getUid());
                assertThat(image(now, "main")).isEqualTo("registry.local/app:2");
                assertThat(StatefulSetRollout.revisionOf(now)).isEqualTo(s.updateRevision);
                assertThat(container(now, "main").getRestartCount()).isEqualTo(container(old, "main").getRestartCount() + 1);
                assertThat(container(now, "main").getContainerID()).isNotEqualTo(container(old, "main").getContainerID());
                assertThat(container(now, "main").getImageID()).isNotEqualTo(container(old, "main").getImageID());
                assertThat(container(now, "log").getContainerID()).as("%s: the log container kept running", name)
                        .isEqualTo(container(old, "log").getContainerID());
                assertThat(container(now, "log").getRestartCount()).isEqualTo(container(old, "log").getRestartCount());
                assertThat(PodState.annotation(now, InPlaceUpdate.STATE_ANNOTATION)).contains(s.updateRevision);
                assertThat(gate(now)).isEqualTo("True");
                assertThat(PodState.ready(now)).isTrue();

                int closed = history.first(e -> e.pod().equals(name) && "False".equals(e.gate()));
                int reopened = history.first(e -> e.pod().equals(name) && "True".equals(e.gate()) && e.image().equals("registry.local/app:2")
                        && e.ready());
                assertThat(closed).as("%s: gate closed during the update\n%s", name, history.timeline()).isNotNegative();
                assertThat(reopened).as("%s: gate open again after it\n%s", name, history.timeline()).isGreaterThan(closed);
                int imageChanged = history.first(e -> e.pod().equals(name) && e.image().equals("registry.local/app:2"));
                assertThat(imageChanged).as("%s: out of service before its image changed\n%s", name, history.timeline()).isGreaterThan(closed);
            }
        }
        assertThat(revisions(set)).extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder(oldRevision, status(ns, "inp").updateRevision);
        assertThat(revisions(set)).allSatisfy(r -> assertThat(Revisions.template(r).getSpec().getContainers().get(0).getImage())
                .isEqualTo(r.getMetadata().getName().equals(oldRevision) ? "registry.local/app:1" : "registry.local/app:2"));
    }

    @Test
    void aChangeBeyondImagesRecreatesThePodsUnderInPlaceIfPossible() {
        String ns = "asts-recreate";
        create(ns, "rec", 2, IN_PLACE);
        awaitRolledOut(ns, "rec");
        Map<String, Pod> before = byName(awaitReadyPods(ns, 2));

        edit(ns, "rec", s -> s.template.getSpec().getContainers().get(0).setEnv(List.of(new EnvVar("MODE", "strict", null))));
        StatefulSetStatus s = awaitRolledOut(ns, "rec");
        assertThat(s.updatedReadyReplicas).isEqualTo(2);
        assertThat(pods(ns)).hasSize(2).allSatisfy(p -> {
            assertThat(p.getMetadata().getUid()).as("recreated").isNotEqualTo(before.get(p.getMetadata().getName()).getMetadata().getUid());
            assertThat(p.getSpec().getContainers().get(0).getEnv()).containsExactly(new EnvVar("MODE", "strict", null));
            assertThat(StatefulSetRollout.revisionOf(p)).isEqualTo(s.updateRevision);
        });
    }

    @Test
    void underInPlaceOnlyAChangeBeyondImagesTouchesNoPodAndSaysWhichPodAndField() {
        String ns = "asts-only";
        create(ns, "only", 2, "updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceOnly}}\n");
        awaitRolledOut(ns, "only");
        List<Pod> before = awaitReadyPods(ns, 2);

        edit(ns, "only", s -> s.template.getSpec().getContainers().get(0).setEnv(List.of(new EnvVar("MODE", "strict", null))));
        await().atMost(WAIT).untilAsserted(() -> {
            Condition blocked = condition(status(ns, "only"), StatefulSetReconciler.BLOCKED);
            assertThat(blocked).isNotNull();
            assertThat(blocked.getStatus()).isEqualTo("True");
            assertThat(blocked.getMessage()).contains("pod only-1", "spec.containers[main].env");
        });
        Map<String, String> versions = before.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getResourceVersion()));
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() -> assertThat(pods(ns)).hasSize(2).allSatisfy(p -> {
            assertThat(p.getMetadata().getResourceVersion()).as("%s untouched", p.getMetadata().getName())
                    .isEqualTo(versions.get(p.getMetadata().getName()));
            assertThat(p.getSpec().getContainers().get(0).getEnv()).isEmpty();
        }));
        assertThat(status(ns, "only").updatedReplicas).isZero();
    }

    @Test
    void podsBelowThePartitionKeepTheOldRevisionUntilItIsLowered() {
        String ns = "asts-partition";
        create(ns, "part", 3, """
                podManagementPolicy: Parallel
                updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, partition: 1}}
                """);
        String oldRevision = awaitRolledOut(ns, "part").updateRevision;
        awaitReadyPods(ns, 3);

        edit(ns, "part", s -> setImage(s, "registry.local/app:2"));
        StatefulSetStatus s = awaitRolledOut(ns, "part");
        assertThat(s.updatedReplicas).isEqualTo(2);
        assertThat(s.updatedReadyReplicas).isEqualTo(2);
        assertThat(s.currentRevision).as("the update is not current while the partition holds pods back").isEqualTo(oldRevision);
        Map<String, Pod> pods = byName(pods(ns));
        assertThat(image(pods.get("part-0"), "main")).isEqualTo("registry.local/app:1");
        assertThat(StatefulSetRollout.revisionOf(pods.get("part-0"))).isEqualTo(oldRevision);
        assertThat(List.of(pods.get("part-1"), pods.get("part-2"))).allSatisfy(p -> {
            assertThat(image(p, "main")).isEqualTo("registry.local/app:2");
            assertThat(StatefulSetRollout.revisionOf(p)).isEqualTo(s.updateRevision);
        });

        edit(ns, "part", spec -> spec.updateStrategy.rollingUpdate.partition = 0);
        StatefulSetStatus all = awaitRolledOut(ns, "part");
        assertThat(all.updatedReadyReplicas).isEqualTo(3);
        assertThat(all.currentRevision).isEqualTo(all.updateRevision);
        assertThat(image(pod(ns, "part-0"), "main")).isEqualTo("registry.local/app:2");
    }

    @Test
    void parallelRolloutTakesExactlyMaxUnavailablePodsOutOfServiceAtOnce() {
        rollsOutWithinMaxUnavailable("asts-maxun-par", "mup", 6, "Parallel");
    }

    @Test
    void orderedReadyRolloutAlsoTakesMaxUnavailablePodsOutOfServiceAtOnce() {
        rollsOutWithinMaxUnavailable("asts-maxun-ord", "muo", 4, "OrderedReady");
    }

    private void rollsOutWithinMaxUnavailable(String ns, String name, int replicas, String management) {
        create(ns, name, replicas, """
                podManagementPolicy: %s
                updateStrategy: {rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: 2}}
                """.formatted(management));
        awaitRolledOut(ns, name);
        awaitReadyPods(ns, replicas);

        try (PodHistory history = new PodHistory(ns)) {
            edit(ns, name, s -> setImage(s, "registry.local/app:2"));
            assertThat(awaitRolledOut(ns, name).updatedReadyReplicas).isEqualTo(replicas);
            assertThat(history.peakOut()).as("pods out of service at once (maxUnavailable 2)\n%s", history.timeline()).isEqualTo(2);
        }
        assertThat(pods(ns)).hasSize(replicas).allSatisfy(p -> assertThat(image(p, "main")).isEqualTo("registry.local/app:2"));
    }

    @Test
    void aPausedRolloutUpdatesNoPodUntilResumed() {
        String ns = "asts-paused";
        create(ns, "pause", 2, IN_PLACE);
        awaitRolledOut(ns, "pause");
        List<Pod> before = awaitReadyPods(ns, 2);

        edit(ns, "pause", s -> {
            setImage(s, "registry.local/app:2");
            s.updateStrategy.rollingUpdate.paused = true;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Condition paused = condition(status(ns, "pause"), StatefulSetReconciler.PAUSED);
            assertThat(paused).isNotNull();
            assertThat(paused.getStatus()).isEqualTo("True");
        });
        Map<String, String> versions = before.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getResourceVersion()));
        await().during(QUIET).atMost(QUIET.plusSeconds(5)).untilAsserted(() -> assertThat(pods(ns)).hasSize(2).allSatisfy(p -> {
            assertThat(p.getMetadata().getResourceVersion()).as("%s untouched while paused", p.getMetadata().getName())
                    .isEqualTo(versions.get(p.getMetadata().getName()));
            assertThat(image(p, "main")).isEqualTo("registry.local/app:1");
        }));
        assertThat(status(ns, "pause").updatedReplicas).isZero();

        edit(ns, "pause", s -> s.updateStrategy.rollingUpdate.paused = false);
        assertThat(awaitRolledOut(ns, "pause").updatedReadyReplicas).isEqualTo(2);
        assertThat(pods(ns)).allSatisfy(p -> assertThat(image(p, "main")).isEqualTo("registry.local/app:2"));
        assertThat(condition(status(ns, "pause"), StatefulSetReconciler.PAUSED).getStatus()).isEqualTo("False");
    }

    /** kruise#2297: a tag moved to the digest the pod already runs; the update must see the restart, not wait for a new imageID. */
    @Test
    void anInPlaceUpdateToATagOfTheSameDigestCompletesOnTheContainerRestart() {
        String ns = "asts-digest";
        String digest = "sha256:" + "5e".repeat(32);
        k().configMaps().inNamespace(SimulatedKubelet.DIGESTS_NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(SimulatedKubelet.DIGESTS_CONFIG_MAP).withNamespace(SimulatedKubelet.DIGESTS_NAMESPACE).endMetadata()
                .withData(Map.of("same-1", "registry.local/same:1@" + digest, "same-2", "registry.local/same:2@" + digest)).build()).create();
        create(ns, "dig", 2, "registry.local/same:1", IN_PLACE);
        awaitRolledOut(ns, "dig");
        Map<String, Pod> before = byName(awaitReadyPods(ns, 2));
        assertThat(before.values()).allSatisfy(p -> assertThat(container(p, "main").getImageID()).isEqualTo("registry.local/same@" + digest));

        edit(ns, "dig", s -> setImage(s, "registry.local/same:2"));
        StatefulSetStatus s = awaitRolledOut(ns, "dig");
        assertThat(s.updatedReadyReplicas).isEqualTo(2);
        assertThat(s.currentRevision).isEqualTo(s.updateRevision);
        assertThat(pods(ns)).hasSize(2).allSatisfy(p -> {
            Pod old = before.get(p.getMetadata().getName());
            assertThat(p.getMetadata().getUid()).isEqualTo(old.getMetadata().getUid());
            assertThat(container(p, "main").getImage()).isEqualTo("registry.local/same:2");
            assertThat(container(p, "main").getImageID()).as("same digest").isEqualTo(container(old, "main").getImageID());
            assertThat(container(p, "main").getRestartCount()).isEqualTo(container(old, "main").getRestartCount() + 1);
            assertThat(gate(p)).isEqualTo("True");
            assertThat(PodState.ready(p)).isTrue();
        });
    }

    @Test
    void claimsAreMadePerOrdinalAndKeptOnScaleDownUnlessWhenScaledSaysDelete() {
        String ns = "asts-claims";
        String claims = """
                podManagementPolicy: Parallel
                volumeClaimTemplates:
                - metadata: {name: data}
                  spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """;
        create(ns, "keep", 3, claims);
        create(ns, "drop", 3, claims + "persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}\n");
        awaitReadyPods(ns, 6);
        assertThat(names(k().persistentVolumeClaims().inNamespace(ns).list().getItems()))
                .containsExactly("data-drop-0", "data-drop-1", "data-drop-2", "data-keep-0", "data-keep-1", "data-keep-2");
        assertThat(pod(ns, "keep-1").getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("data");
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-keep-1");
        });
        Map<String, String> uids = k().persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c.getMetadata().getUid()));

        edit(ns, "keep", s -> s.replicas = 1);
        edit(ns, "drop", s -> s.replicas = 1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(names(pods(ns))).containsExactly("drop-0", "keep-0"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(names(k().persistentVolumeClaims().inNamespace(ns).list().getItems()))
                .containsExactly("data-drop-0", "data-keep-0", "data-keep-1", "data-keep-2"));

        edit(ns, "keep", s -> s.replicas = 3);
        awaitReadyPods(ns, 4);
        List<PersistentVolumeClaim> kept = k().persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
                .filter(c -> c.getMetadata().getName().startsWith("data-keep-")).toList();
        assertThat(kept).hasSize(3).allSatisfy(c -> assertThat(c.getMetadata().getUid()).as("the pod got its old claim back")
                .isEqualTo(uids.get(c.getMetadata().getName())));
    }

    @Test
    void aRolloutIsPublishedAsRevisionPodAndRolloutTransitions() {
        String ns = "asts-events";
        AdvancedStatefulSet set = create(ns, "evt", 2, IN_PLACE);
        String oldRevision = awaitRolledOut(ns, "evt").updateRevision;
        Map<String, Pod> before = byName(awaitReadyPods(ns, 2));

        edit(ns, "evt", s -> setImage(s, "registry.local/app:2"));
        String newRevision = awaitRolledOut(ns, "evt").updateRevision;

        await().atMost(WAIT).untilAsserted(() -> {
            List<WorkloadTransitioned> events = KruiseTestCluster.transitions(set.getMetadata().getUid());
            assertThat(events).allSatisfy(e -> {
                assertThat(e.getKind()).isEqualTo("StatefulSet");
                assertThat(e.getNamespace()).isEqualTo(ns);
                assertThat(e.getName()).isEqualTo("evt");
            });
            assertThat(events).filteredOn(e -> e.getTransition().equals("RevisionCreated")).extracting(WorkloadTransitioned::getRevision)
                    .containsExactly(oldRevision, newRevision);
            assertThat(events).filteredOn(e -> e.getTransition().equals("PodCreated")).extracting(WorkloadTransitioned::getPod)
                    .containsExactlyInAnyOrder("evt-0", "evt-1");
            List<WorkloadTransitioned> inPlace = events.stream().filter(e -> e.getTransition().equals("PodUpdatedInPlace")).toList();
            assertThat(inPlace).extracting(WorkloadTransitioned::getPod).containsExactlyInAnyOrder("evt-0", "evt-1");
            assertThat(inPlace).allSatisfy(e -> {
                assertThat(e.getRevision()).isEqualTo(newRevision);
                assertThat(e.getPodUid()).isEqualTo(before.get(e.getPod()).getMetadata().getUid());
            });
            assertThat(events).noneMatch(e -> e.getTransition().equals("PodRecreated"));
            int lastInPlace = events.indexOf(inPlace.get(inPlace.size() - 1));
            assertThat(events.subList(lastInPlace, events.size())).anySatisfy(e -> {
                assertThat(e.getTransition()).isEqualTo("RolloutFinished");
                assertThat(e.getRevision()).isEqualTo(newRevision);
            });
        });
    }

    @Test
    void availableReplicasLagReadyReplicasByMinReadySeconds() {
        String ns = "asts-minready";
        create(ns, "mrs", 2, """
                podManagementPolicy: Parallel
                updateStrategy: {rollingUpdate: {minReadySeconds: 2}}
                """);
        boolean[] lagSeen = {false};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            AdvancedStatefulSet set = set(ns, "mrs");
            StatefulSetStatus s = set == null ? null : set.getStatus();
            if (s == null || s.readyReplicas == null) {
                return false;
            }
            lagSeen[0] |= s.readyReplicas == 2 && s.availableReplicas < 2;
            return s.availableReplicas == 2;
        });
        assertThat(lagSeen[0]).as("ready pods counted as available only after minReadySeconds").isTrue();
    }
}
