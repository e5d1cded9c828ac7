package io.slipway.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rollout of 1,000 pods at once: the simulation (API server semantics, scheduler, kubelet) adds well under a second
 * to the time the writes themselves take, with zero delays configured.
 */
class RolloutAtScaleTest {
    private static final int PODS = 1_000;
    private static final String NS = "rollout";

    private SimulatedCluster cluster;
    private ExecutorService writers;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start(SimulationOptions.defaults().withNodes(10).withContainerStartDelay(Duration.ZERO)
                .withReadinessDelay(Duration.ZERO).withTerminationDelay(Duration.ZERO));
        writers = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void stop() {
        writers.shutdownNow();
        cluster.close();
    }

    private long inParallel(IntConsumer write) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> done = IntStream.range(0, PODS).mapToObj(i -> writers.submit(() -> write.accept(i))).<Future<?>>map(f -> f).toList();
        for (Future<?> f : done) {
            f.get();
        }
        return System.nanoTime() - start;
    }

    @Test
    void aThousandPodsChangeTheirImageAtOnce() throws Exception {
        Set<String> ready = ConcurrentHashMap.newKeySet();
        Set<String> updated = ConcurrentHashMap.newKeySet();
        AtomicLong lastUpdate = new AtomicLong();
        String newImageId = cluster.kubelet().imageId("registry.local/app:2");
        try (Watch ignored = cluster.client().pods().inNamespace(NS).watch(new ListOptionsBuilder()
                .withResourceVersion(Long.toString(cluster.resourceVersion())).build(), new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        boolean isReady = pod.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
                        String name = pod.getMetadata().getName();
                        if (isReady) {
                            ready.add(name);
                            if (pod.getStatus().getContainerStatuses().get(0).getImageID().equals(newImageId) && updated.add(name)) {
                                lastUpdate.set(System.nanoTime());
                            }
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            long creating = inParallel(i -> cluster.client().pods().inNamespace(NS).resource(new PodBuilder()
                    .withNewMetadata().withName("web-" + i).withLabels(Map.of("app", "web")).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec().build()).create());
            await().atMost(Duration.ofSeconds(60)).until(() -> ready.size() == PODS);

            long patchStart = System.nanoTime();
            long patching = inParallel(i -> cluster.client().pods().inNamespace(NS).withName("web-" + i).patch(PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"registry.local/app:2\"}]"));
            await().atMost(Duration.ofSeconds(60)).until(() -> updated.size() == PODS);
            long rollout = lastUpdate.get() - patchStart;
            long overhead = rollout - patching;
            System.out.printf("%d pods: created in %d ms; image patched in %d ms, all restarted and Ready %d ms after the first patch "
                    + "(%d ms after the last)%n", PODS, creating / 1_000_000, patching / 1_000_000, rollout / 1_000_000, overhead / 1_000_000);
            assertThat(Duration.ofNanos(overhead)).as("simulation time beyond the writes").isLessThan(Duration.ofSeconds(1));
        }
        Pod one = cluster.client().pods().inNamespace(NS).withName("web-7").get();
        assertThat(one.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(1);
    }
}
