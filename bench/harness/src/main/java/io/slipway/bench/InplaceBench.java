package io.slipway.bench;

import static io.slipway.bench.BenchMain.info;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.testkit.kube.SimulatedCluster;
import io.slipway.testkit.kube.SimulationOptions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodWrites;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import io.slipway.workload.kruise.statefulset.StatefulSetStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * bench/inplace: a rollout of a 1,000-replica Advanced StatefulSet updated in place by workload-svc's controller, on
 * the test kit's simulated cluster and kubelet, against the floor the simulation allows: the same kubelet applying
 * the same 1,000 image changes written straight to 1,000 bare pods. See the script's header and docs/benchmarks.md.
 */
public final class InplaceBench {
    private static final String SET_NS = "inplace";
    private static final String FLOOR_NS = "floor";
    private static final String GATED_NS = "gated";
    private static final String SET = "web";
    private static final String REPO = "registry.local/app";
    /** The floor's writers at once: as many as the controller's pod writes (PodWrites.CONCURRENCY). */
    private static final int FLOOR_CONCURRENCY = Integer.getInteger("bench.floor.concurrency", 64);

    private static final int PODS = Integer.getInteger("bench.pods", 1000);
    private static final int REPS = Integer.getInteger("bench.reps", 5);
    private static final int WARMUPS = Integer.getInteger("bench.warmups", 2);
    private static final int NODES = Integer.getInteger("bench.nodes", 20);
    private static final long START_MS = Long.getLong("bench.start-ms", 200);
    private static final long READY_MS = Long.getLong("bench.ready-ms", 80);
    private static final long TERMINATION_MS = Long.getLong("bench.termination-ms", 100);
    private static final boolean VARIANTS = Boolean.parseBoolean(System.getProperty("bench.variants", "true"));
    private static final Duration ROLLOUT_TIMEOUT = Duration.ofSeconds(Long.getLong("bench.timeout-s", 240));

    private static volatile boolean stopping;
    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Process controller;
    private static final List<Watch> watches = new ArrayList<>();

    private InplaceBench() {
    }

    public static void main(String[] args) {
        BenchMain.run(InplaceBench::run, InplaceBench::cleanUp, () -> stopping);
    }

    private static synchronized void cleanUp() {
        stopping = true;
        if (controller != null) {
            controller.destroy();
            try {
                if (!controller.waitFor(10, TimeUnit.SECONDS)) {
                    controller.destroyForcibly();
                }
            } catch (InterruptedException e) {
                controller.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            controller = null;
        }
        watches.forEach(w -> BenchMain.quietly(w::close));
        watches.clear();
        if (client != null) {
            BenchMain.quietly(client::close);
            client = null;
        }
        if (cluster != null) {
            BenchMain.quietly(cluster::close);
            cluster = null;
        }
    }

    // ---- the run ----------------------------------------------------------------------------------------------------

    private static int tag = 1;

    private static void run() throws Exception {
        long wall = System.nanoTime();
        SimulationOptions options = SimulationOptions.defaults().withNodes(NODES).withContainerStartDelay(Duration.ofMillis(START_MS))
                .withReadinessDelay(Duration.ofMillis(READY_MS)).withTerminationDelay(Duration.ofMillis(TERMINATION_MS));
        cluster = SimulatedCluster.start(options).historyLimit(Integer.getInteger("bench.history", 30_000));
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.url()).withNamespace("default")
                .withWatchReconnectInterval(100).build()).build();
        System.out.printf(Locale.ROOT, "simulated kubelet: container (re)start %d ms, readiness %d ms, termination %d ms; %d nodes;"
                + " the same for the floor and the controller%n", START_MS, READY_MS, TERMINATION_MS, NODES);
        installCrds();

        Tracker set = new Tracker(SET_NS, PODS);
        Tracker floor = new Tracker(FLOOR_NS, PODS);
        Tracker gated = new Tracker(GATED_NS, PODS);
        GateOpener opener = new GateOpener();
        watch(set, null);
        watch(floor, null);
        watch(gated, opener);

        Child child = Child.start(cluster.url());
        info("controller process started (pid " + child.process.pid() + ")");

        long t0 = System.nanoTime();
        String image = REPO + ":" + tag;
        set.arm(imageId(image));
        floor.arm(imageId(image));
        gated.arm(imageId(image));
        opener.arm(imageId(image));
        client.resources(AdvancedStatefulSet.class).inNamespace(SET_NS).resource(statefulSet(image)).create();
        for (String ns : List.of(FLOOR_NS, GATED_NS)) {
            writeConcurrently(i -> client.pods().inNamespace(ns).resource(new PodBuilder()
                    .withNewMetadata().withName(ns + "-" + i).withNamespace(ns).addToLabels("app", ns).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer()
                    .withReadinessGates(ns.equals(GATED_NS) ? List.of(new PodReadinessGate(InPlaceUpdate.READINESS_GATE)) : List.of())
                    .endSpec().build()).create());
        }
        set.awaitDone(ROLLOUT_TIMEOUT);
        floor.awaitDone(ROLLOUT_TIMEOUT);
        gated.awaitDone(ROLLOUT_TIMEOUT);
        awaitSettled();
        info(String.format(Locale.ROOT, "%d pods of the set and 2 x %d bare pods Ready in %.1f s", PODS, PODS, BenchMain.secondsSince(t0)));

        List<Rollout> controllerRuns = new ArrayList<>();
        List<Rollout> floorRuns = new ArrayList<>();
        List<Rollout> gatedRuns = new ArrayList<>();
        for (int r = -WARMUPS; r < REPS; r++) {
            String label = r < 0 ? "warm-up" : "rep " + (r + 1);
            for (int k = 0; k < 3; k++) {
                Rollout o = switch (Math.floorMod(r + k, 3)) { // each side goes first, second and third in turn
                    case 0 -> controllerRollout(set, child, "");
                    case 1 -> floorRollout(floor);
                    default -> gatedRollout(gated, opener);
                };
                info(label + ": " + o.line());
                if (r >= 0) {
                    (o.controller ? controllerRuns : o.name.startsWith("gate") ? gatedRuns : floorRuns).add(o);
                }
            }
        }

        List<Rollout> variants = new ArrayList<>();
        if (VARIANTS) {
            for (String pct : List.of("10%", "1%")) {
                patchSet("[{\"op\":\"replace\",\"path\":\"/spec/updateStrategy/rollingUpdate/maxUnavailable\",\"value\":\"" + pct + "\"}]");
                awaitSettled();
                Rollout o = controllerRollout(set, child, "");
                info("maxUnavailable " + pct + ": " + o.line());
                variants.add(o.named("in place, maxUnavailable " + pct));
            }
            Rollout o = controllerRollout(set, child, "{\"op\":\"replace\",\"path\":\"/spec/updateStrategy/rollingUpdate/maxUnavailable\",\"value\":\"100%\"},"
                    + "{\"op\":\"replace\",\"path\":\"/spec/updateStrategy/rollingUpdate/podUpdatePolicy\",\"value\":\"ReCreate\"},");
            info("ReCreate: " + o.line());
            variants.add(o.named("ReCreate, maxUnavailable 100%"));
        }

        report(controllerRuns, floorRuns, variants, child);
        double[] g = gatedRuns.stream().mapToDouble(o -> o.seconds).toArray();
        double[] gs = gatedRuns.stream().mapToDouble(o -> (double) o.storedChanges / PODS).toArray();
        System.out.printf(Locale.ROOT, "gate floor (no controller: the bench closes each bare pod's InPlaceUpdateReady gate, patches its image and"
                + " opens the gate when its watch sees the new container ready, %d at once, the controller's own patches): median %.2f s (min-max %.2f-%.2f;"
                + " %s); API server stored %.2f changes/pod%n", FLOOR_CONCURRENCY, median(g), min(g), max(g), list(g), median(gs));
        System.out.printf(Locale.ROOT, "controller / gate floor: %.3f (what the controller adds to Kruise's gate protocol in this simulation)%n",
                median(controllerRuns.stream().mapToDouble(o -> o.seconds).toArray()) / median(g));
        info(String.format(Locale.ROOT, "wall time %.0f s", BenchMain.secondsSince(wall)));
        double ratio = median(controllerRuns.stream().mapToDouble(o -> o.seconds).toArray())
                / median(floorRuns.stream().mapToDouble(o -> o.seconds).toArray());
        System.out.printf(Locale.ROOT, "ratio=%.3f%n", ratio);
        child.quit();
    }

    // ---- one rollout ------------------------------------------------------------------------------------------------

    /** What one rollout took and cost. */
    record Rollout(String name, boolean controller, double seconds, double statusSeconds, int peakUnavailable, int allowedUnavailable,
                   int sameUid, int newUid, Map<String, Long> requests, long reconciles, long controllerCpuNanos, long benchCpuNanos,
                   long storedChanges) {
        Rollout named(String n) {
            return new Rollout(n, controller, seconds, statusSeconds, peakUnavailable, allowedUnavailable, sameUid, newUid, requests,
                    reconciles, controllerCpuNanos, benchCpuNanos, storedChanges);
        }

        long writes() {
            return requests.entrySet().stream().filter(e -> isWrite(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        }

        String line() {
            String s = String.format(Locale.ROOT, "%s %.2f s, peak unavailable %d (allowed %d), UIDs kept %d, new %d", name, seconds,
                    peakUnavailable, allowedUnavailable, sameUid, newUid);
            if (controller) {
                s += String.format(Locale.ROOT, "; status done at %.2f s; controller writes %.2f/pod, %d reconciles, CPU %.0f µs/pod %s",
                        statusSeconds, (double) writes() / PODS, reconciles, controllerCpuNanos / 1e3 / PODS, requests);
            }
            return s + String.format(Locale.ROOT, "; bench JVM (API server, kubelet, watches) CPU %.0f µs/pod; API server stored %.2f changes/pod",
                    benchCpuNanos / 1e3 / PODS, (double) storedChanges / PODS);
        }
    }

    /**
     * Changes the set's image (and applies {@code extraPatchOps}, JSON patch operations each ending with a comma), times
     * until every pod runs the new image and is Ready, then waits for the controller to say so in the set's status
     * before it reads the controller's requests and CPU.
     */
    private static Rollout controllerRollout(Tracker set, Child child, String extraPatchOps) throws Exception {
        String image = REPO + ":" + (++tag);
        Child.Sample before = child.sample();
        long cpu0 = benchCpu();
        long rv0 = cluster.resourceVersion();
        Map<String, String> uids = set.uids();
        AdvancedStatefulSet current = client.resources(AdvancedStatefulSet.class).inNamespace(SET_NS).withName(SET).get();
        int allowed = allowedUnavailable(current, extraPatchOps);
        set.arm(imageId(image));
        long t0 = System.nanoTime();
        patchSet("[" + extraPatchOps + "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"" + image + "\"}]");
        long done = set.awaitDone(ROLLOUT_TIMEOUT);
        long settled = awaitSettled();
        Child.Sample after = child.sample();
        long cpu1 = benchCpu();
        long rv1 = cluster.resourceVersion();
        int[] kept = compare(uids, set.uids());
        boolean recreate = extraPatchOps.contains("ReCreate");
        return new Rollout(recreate ? "controller (ReCreate)" : "controller (in place)", true, (done - t0) / 1e9, (settled - t0) / 1e9,
                set.peakUnavailable(), allowed, kept[0], kept[1], after.requestsMinus(before), after.reconciles - before.reconciles, after.cpu - before.cpu, cpu1 - cpu0,
                rv1 - rv0);
    }

    /** The same image change written straight to every bare pod, FLOOR_CONCURRENCY at once, timed to all Ready again. */
    private static Rollout floorRollout(Tracker floor) throws Exception {
        String image = REPO + ":" + (++tag);
        long cpu0 = benchCpu();
        long rv0 = cluster.resourceVersion();
        Map<String, String> uids = floor.uids();
        floor.arm(imageId(image));
        String patch = "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"" + image + "\"}]";
        long t0 = System.nanoTime();
        writeConcurrently(i -> client.pods().inNamespace(FLOOR_NS).withName("floor-" + i).patch(PatchContext.of(PatchType.JSON), patch));
        long done = floor.awaitDone(ROLLOUT_TIMEOUT);
        long cpu1 = benchCpu();
        long rv1 = cluster.resourceVersion();
        int[] kept = compare(uids, floor.uids());
        return new Rollout("floor (bare pods)", false, (done - t0) / 1e9, Double.NaN, floor.peakUnavailable(), PODS, kept[0], kept[1],
                Map.of(), 0, 0, cpu1 - cpu0, rv1 - rv0);
    }

    /**
     * Kruise's gate protocol with no controller: for every bare pod of {@code gated}, FLOOR_CONCURRENCY at once, the
     * gate closed and the image patched as the controller writes them; the {@link GateOpener} opens each gate when the
     * watch sees the new container ready. Timed like the others.
     */
    private static Rollout gatedRollout(Tracker gated, GateOpener opener) throws Exception {
        String image = REPO + ":" + (++tag);
        long cpu0 = benchCpu();
        long rv0 = cluster.resourceVersion();
        Map<String, String> uids = gated.uids();
        gated.arm(imageId(image));
        opener.arm(imageId(image));
        String patch = "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"" + image + "\"}]";
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        writeConcurrently(i -> {
            Pod pod = PodWrites.gate(client, opener.latest(GATED_NS + "-" + i), false, "StartInPlaceUpdate", now);
            client.pods().inNamespace(GATED_NS).resource(pod).patch(PatchContext.of(PatchType.JSON), patch);
        });
        long done = gated.awaitDone(ROLLOUT_TIMEOUT);
        long cpu1 = benchCpu();
        long rv1 = cluster.resourceVersion();
        int[] kept = compare(uids, gated.uids());
        return new Rollout("gate floor (bare pods)", false, (done - t0) / 1e9, Double.NaN, gated.peakUnavailable(), PODS, kept[0], kept[1],
                Map.of(), 0, 0, cpu1 - cpu0, rv1 - rv0);
    }

    /** Opens a gated bare pod's gate once its container runs the wanted image and is ready, as the controller would. */
    static final class GateOpener {
        private final Map<String, Pod> latest = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Set<String> opening = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final Semaphore permits = new Semaphore(FLOOR_CONCURRENCY);
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private volatile String wanted;

        void arm(String imageId) {
            wanted = imageId;
        }

        Pod latest(String name) {
            return latest.get(name);
        }

        void event(Watcher.Action action, Pod pod) {
            String name = pod.getMetadata().getName();
            if (action == Watcher.Action.DELETED) {
                latest.remove(name);
                return;
            }
            latest.put(name, pod);
            boolean open = pod.getStatus() != null && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals(InPlaceUpdate.READINESS_GATE) && c.getStatus().equals("True"));
            boolean ran = pod.getStatus() != null && pod.getStatus().getContainerStatuses().stream()
                    .anyMatch(c -> c.getName().equals("app") && Boolean.TRUE.equals(c.getReady()) && wanted != null && wanted.equals(c.getImageID()));
            String key = name + "@" + wanted;
            if (open || !ran || !opening.add(key)) {
                return;
            }
            executor.submit(() -> {
                permits.acquire();
                try {
                    PodWrites.gate(client, pod, true, "InPlaceUpdateFinished", Instant.now());
                } catch (PodWrites.LostRace | io.fabric8.kubernetes.client.KubernetesClientException e) {
                    opening.remove(key); // the pod changed since this event: a newer one comes and tries again
                } finally {
                    permits.release();
                }
                return null;
            });
        }
    }

    private static int allowedUnavailable(AdvancedStatefulSet set, String extraPatchOps) {
        String pct = set.getSpec().updateStrategy.rollingUpdate.maxUnavailable.getStrVal();
        if (extraPatchOps.contains("\"100%\"")) {
            pct = "100%";
        }
        // Kruise scales a percentage down, with at least one
        return Math.max(1, (int) Math.floor(PODS * Double.parseDouble(pct.replace("%", "")) / 100));
    }

    private static int[] compare(Map<String, String> before, Map<String, String> after) {
        int same = 0;
        int changed = 0;
        for (var e : after.entrySet()) {
            if (e.getValue().equals(before.get(e.getKey()))) {
                same++;
            } else {
                changed++;
            }
        }
        return new int[] {same, changed};
    }

    private static void patchSet(String jsonPatch) {
        client.resources(AdvancedStatefulSet.class).inNamespace(SET_NS).withName(SET).patch(PatchContext.of(PatchType.JSON), jsonPatch);
    }

    /** Waits until the set's status says the rollout is over (all updated and ready, current = update revision). */
    private static long awaitSettled() throws InterruptedException {
        long deadline = System.nanoTime() + ROLLOUT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            AdvancedStatefulSet s = client.resources(AdvancedStatefulSet.class).inNamespace(SET_NS).withName(SET).get();
            StatefulSetStatus st = s.getStatus();
            if (st != null && st.observedGeneration != null && st.observedGeneration >= s.getMetadata().getGeneration()
                    && st.updatedReadyReplicas != null && st.updatedReadyReplicas == PODS && st.readyReplicas != null && st.readyReplicas == PODS
                    && st.updateRevision != null && st.updateRevision.equals(st.currentRevision)) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the set's status did not settle in " + ROLLOUT_TIMEOUT);
    }

    // ---- the report -------------------------------------------------------------------------------------------------

    private static void report(List<Rollout> controllerRuns, List<Rollout> floorRuns, List<Rollout> variants, Child child) {
        double[] c = controllerRuns.stream().mapToDouble(o -> o.seconds).toArray();
        double[] f = floorRuns.stream().mapToDouble(o -> o.seconds).toArray();
        System.out.printf(Locale.ROOT, "%d pods, %d repetitions after %d warm-up rounds, each of the three sides (controller, floor, gate floor) first, second and third in turn; times from the image change to every pod"
                + " Ready with the new imageID (pods, as a watch sees them)%n", PODS, REPS, WARMUPS);
        System.out.printf(Locale.ROOT, "floor (1,000 JSON patches of the bare pods' image, %d at once):   median %.2f s  (min-max %.2f-%.2f; %s)%n",
                FLOOR_CONCURRENCY, median(f), min(f), max(f), list(f));
        System.out.printf(Locale.ROOT, "controller, in place, maxUnavailable 100%%:                     median %.2f s  (min-max %.2f-%.2f; %s)%n",
                median(c), min(c), max(c), list(c));
        double[] st = controllerRuns.stream().mapToDouble(o -> o.statusSeconds).toArray();
        System.out.printf(Locale.ROOT, "  the set's status says done (updatedReadyReplicas, currentRevision): median %.2f s (%.2f-%.2f)%n",
                median(st), min(st), max(st));
        System.out.printf(Locale.ROOT, "  peak unavailable pods: %s (allowed %d); UIDs kept: %s of %d%n",
                controllerRuns.stream().map(o -> Integer.toString(o.peakUnavailable)).toList(), controllerRuns.get(0).allowedUnavailable,
                controllerRuns.stream().map(o -> Integer.toString(o.sameUid)).toList(), PODS);
        System.out.printf(Locale.ROOT, "  floor peak unavailable pods: %s; UIDs kept: %s%n",
                floorRuns.stream().map(o -> Integer.toString(o.peakUnavailable)).toList(),
                floorRuns.stream().map(o -> Integer.toString(o.sameUid)).toList());

        System.out.println("controller's API requests per pod (its client's own requests, counted by a fabric8 interceptor in the controller's"
                + " process), median of the repetitions:");
        Map<String, double[]> byKey = new TreeMap<>();
        for (int i = 0; i < controllerRuns.size(); i++) {
            for (var e : controllerRuns.get(i).requests.entrySet()) {
                byKey.computeIfAbsent(e.getKey(), k -> new double[controllerRuns.size()])[i] = (double) e.getValue() / PODS;
            }
        }
        byKey.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-34s %6.3f%n", k, median(v)));
        double[] writes = controllerRuns.stream().mapToDouble(o -> (double) o.writes() / PODS).toArray();
        double[] reads = controllerRuns.stream().mapToDouble(o -> sum(o.requests, k -> k.startsWith("GET") || k.startsWith("LIST")) / PODS).toArray();
        double[] watchesPerPod = controllerRuns.stream().mapToDouble(o -> sum(o.requests, k -> k.startsWith("WATCH")) / PODS).toArray();
        double[] lists = controllerRuns.stream().mapToDouble(o -> sum(o.requests, k -> k.startsWith("LIST"))).toArray();
        double[] watchCount = controllerRuns.stream().mapToDouble(o -> sum(o.requests, k -> k.startsWith("WATCH"))).toArray();
        System.out.printf(Locale.ROOT, "  writes (POST/PUT/PATCH/DELETE) %.3f per pod (min-max %.3f-%.3f); reads (GET/LIST) %.3f per pod;"
                        + " lists %.0f and watches opened %.0f per rollout (%.4f per pod)%n",
                median(writes), min(writes), max(writes), median(reads), median(lists), median(watchCount), median(watchesPerPod));

        double[] reconciles = controllerRuns.stream().mapToDouble(o -> o.reconciles).toArray();
        System.out.printf(Locale.ROOT, "  reconciles of the set per rollout: median %.0f (min-max %.0f-%.0f)%n", median(reconciles), min(reconciles),
                max(reconciles));
        double[] cpu = controllerRuns.stream().mapToDouble(o -> o.controllerCpuNanos / 1e3 / PODS).toArray();
        double[] benchC = controllerRuns.stream().mapToDouble(o -> o.benchCpuNanos / 1e3 / PODS).toArray();
        double[] benchF = floorRuns.stream().mapToDouble(o -> o.benchCpuNanos / 1e3 / PODS).toArray();
        System.out.printf(Locale.ROOT, "controller's CPU per pod (its own JVM's process CPU time: reconciles, informers, HTTP client, GC, JIT):"
                + " median %.0f µs (min-max %.0f-%.0f)%n", median(cpu), min(cpu), max(cpu));
        System.out.printf(Locale.ROOT, "bench JVM's CPU per pod (simulated API server, kubelet, scheduler, the bench's watches and floor writes):"
                + " controller rollouts %.0f µs, floor rollouts %.0f µs (medians)%n", median(benchC), median(benchF));
        double[] storedC = controllerRuns.stream().mapToDouble(o -> (double) o.storedChanges / PODS).toArray();
        double[] storedF = floorRuns.stream().mapToDouble(o -> (double) o.storedChanges / PODS).toArray();
        System.out.printf(Locale.ROOT, "API server's stored changes per pod (every writer: controller, kubelet, bench; the simulation stores one"
                + " write at a time): controller rollouts %.2f, floor rollouts %.2f (medians), ratio %.2f%n", median(storedC), median(storedF),
                median(storedC) / median(storedF));
        Child.Sample last = child.lastThreads;
        if (last != null) {
            System.out.println("  controller's threads, CPU since its start (all rollouts, the scale-up included):");
            long total = last.cpu;
            long named = 0;
            List<Map.Entry<String, Long>> top = new ArrayList<>(last.threads.entrySet());
            top.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            for (var e : top) {
                named += e.getValue();
            }
            for (var e : top.subList(0, Math.min(8, top.size()))) {
                System.out.printf(Locale.ROOT, "    %-52s %5.1f%%%n", e.getKey(), 100.0 * e.getValue() / total);
            }
            System.out.printf(Locale.ROOT, "    %-52s %5.1f%%%n", "GC, JIT and ended threads", 100.0 * (total - named) / total);
        }
        if (!variants.isEmpty()) {
            System.out.println("one run each (controller; same kubelet latencies):");
            for (Rollout o : variants) {
                System.out.printf(Locale.ROOT, "  %-34s %6.2f s, peak unavailable %4d (allowed %4d), UIDs kept %4d / changed %4d,"
                                + " writes %.2f/pod, %d reconciles, CPU %.0f µs/pod; requests %s%n", o.name, o.seconds, o.peakUnavailable,
                        o.allowedUnavailable, o.sameUid, o.newUid, (double) o.writes() / PODS, o.reconciles, o.controllerCpuNanos / 1e3 / PODS,
                        o.requests);
            }
        }
        System.out.printf(Locale.ROOT, "writes per pod (median) %.2f, goal <= 3%n", median(writes));
    }

    private static boolean isWrite(String key) {
        return key.startsWith("POST") || key.startsWith("PUT") || key.startsWith("PATCH") || key.startsWith("DELETE");
    }

    private static double sum(Map<String, Long> m, java.util.function.Predicate<String> keys) {
        return m.entrySet().stream().filter(e -> keys.test(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    private static String list(double[] v) {
        StringBuilder s = new StringBuilder();
        for (double d : v) {
            s.append(s.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", d));
        }
        return s.toString();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    // ---- setup ------------------------------------------------------------------------------------------------------

    private static void installCrds() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("deploy/k8s/crds"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
                    client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(c -> c.update());
                }
            }
        }
    }

    private static AdvancedStatefulSet statefulSet(String image) {
        return Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: %d
                  podManagementPolicy: Parallel
                  selector: {matchLabels: {app: %s}}
                  updateStrategy:
                    type: RollingUpdate
                    rollingUpdate: {podUpdatePolicy: InPlaceIfPossible, maxUnavailable: "100%%"}
                  template:
                    metadata: {labels: {app: %s}}
                    spec:
                      containers: [{name: app, image: %s}]
                """.formatted(SET, SET_NS, PODS, SET, SET, image), AdvancedStatefulSet.class);
    }

    private static String imageId(String image) {
        return cluster.kubelet().imageId(image);
    }

    private static void writeConcurrently(java.util.function.IntConsumer write) throws Exception {
        Semaphore permits = new Semaphore(FLOOR_CONCURRENCY);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>(PODS);
            for (int i = 0; i < PODS; i++) {
                int n = i;
                done.add(executor.submit(() -> {
                    permits.acquire();
                    try {
                        write.accept(n);
                    } finally {
                        permits.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static long benchCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void watch(Tracker t, GateOpener opener) {
        watches.add(client.pods().inNamespace(t.namespace).watch(new ListOptionsBuilder()
                .withResourceVersion(Long.toString(cluster.resourceVersion())).build(), new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        t.event(action, pod);
                        if (opener != null) {
                            opener.event(action, pod);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        if (!stopping) {
                            System.err.println("[bench] the watch of " + t.namespace + " ended: " + cause);
                        }
                    }
                }));
    }

    // ---- what a watch sees ------------------------------------------------------------------------------------------

    /** The pods of one namespace as a watch shows them: which are Ready, which run the wanted image; peak unavailable. */
    static final class Tracker {
        private record Seen(String uid, boolean ready, boolean updated) {
        }

        final String namespace;
        private final int replicas;
        private final Map<String, Seen> pods = new HashMap<>();
        private String wanted;
        private int ready;
        private int updated;
        private int peakUnavailable;
        private long doneAt;

        Tracker(String namespace, int replicas) {
            this.namespace = namespace;
            this.replicas = replicas;
        }

        synchronized void event(Watcher.Action action, Pod pod) {
            String name = pod.getMetadata().getName();
            Seen old = pods.remove(name);
            if (old != null) {
                ready -= old.ready ? 1 : 0;
                updated -= old.updated ? 1 : 0;
            }
            if (action != Watcher.Action.DELETED) {
                Seen now = seen(pod);
                pods.put(name, now);
                ready += now.ready ? 1 : 0;
                updated += now.updated ? 1 : 0;
            }
            peakUnavailable = Math.max(peakUnavailable, replicas - ready);
            if (updated == replicas && doneAt == 0) {
                doneAt = System.nanoTime();
                notifyAll();
            }
        }

        private Seen seen(Pod pod) {
            boolean isReady = pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                    && pod.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            boolean isUpdated = isReady && wanted != null && pod.getStatus().getContainerStatuses().stream()
                    .anyMatch(c -> c.getName().equals("app") && wanted.equals(c.getImageID()));
            return new Seen(pod.getMetadata().getUid(), isReady, isUpdated);
        }

        /** From now on "updated" means running {@code imageId}; peak unavailable starts over. */
        synchronized void arm(String imageId) {
            wanted = imageId;
            doneAt = 0;
            peakUnavailable = replicas - ready;
            updated = 0; // no pod runs an image not asked for yet; each is counted again as the watch shows it
            pods.replaceAll((k, s) -> new Seen(s.uid, s.ready, false));
        }

        synchronized long awaitDone(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (doneAt == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopping) {
                    throw new IllegalStateException(namespace + ": " + updated + " of " + replicas + " pods updated and Ready, "
                            + ready + " Ready, after " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return doneAt;
        }

        synchronized int peakUnavailable() {
            return peakUnavailable;
        }

        synchronized Map<String, String> uids() {
            Map<String, String> m = new LinkedHashMap<>();
            pods.forEach((k, s) -> m.put(k, s.uid));
            return m;
        }
    }

    // ---- the controller's process -----------------------------------------------------------------------------------

    /** The controller in its own JVM ({@link InplaceController}): started once, sampled before and after each rollout. */
    static final class Child {
        record Sample(long cpu, long reconciles, Map<String, Long> requests, Map<String, Long> threads) {
            Map<String, Long> requestsMinus(Sample before) {
                Map<String, Long> d = new TreeMap<>();
                requests.forEach((k, v) -> {
                    long n = v - before.requests.getOrDefault(k, 0L);
                    if (n != 0) {
                        d.put(k, n);
                    }
                });
                return d;
            }
        }

        final Process process;
        private final BufferedReader out;
        private final Writer in;
        Sample lastThreads;

        private Child(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Child start(String url) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx" + System.getProperty("bench.controller.heap", "1g"),
                    "-XX:+UseParallelGC", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
            for (String p : List.of("bench.controller.threads", "bench.trace")) {
                if (System.getProperty(p) != null) {
                    cmd.add("-D" + p + "=" + System.getProperty(p));
                }
            }
            String extra = System.getProperty("bench.controller.jvm", "").trim(); // e.g. a JFR recording, to profile it
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.split("\\s+")));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), InplaceController.class.getName(), url));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            controller = p;
            Child c = new Child(p);
            c.await("ready");
            return c;
        }

        private String await(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("the controller's process ended (exit " + waitExit() + ")");
        }

        private int waitExit() {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        Sample sample() throws IOException {
            in.write("sample\n");
            in.flush();
            String line = await("sample ");
            long cpu = 0;
            long reconciles = 0;
            Map<String, Long> requests = new TreeMap<>();
            Map<String, Long> threads = new TreeMap<>();
            for (String field : line.split(" ")) {
                if (field.startsWith("cpu=")) {
                    cpu = Long.parseLong(field.substring(4));
                } else if (field.startsWith("reconciles=")) {
                    reconciles = Long.parseLong(field.substring(11));
                } else if (field.startsWith("requests=") || field.startsWith("threads=")) {
                    Map<String, Long> into = field.startsWith("requests=") ? requests : threads;
                    for (String kv : field.substring(field.indexOf('=') + 1).split(",")) {
                        int colon = kv.lastIndexOf(':');
                        if (colon > 0) {
                            into.put(kv.substring(0, colon).replace('_', ' '), Long.parseLong(kv.substring(colon + 1)));
                        }
                    }
                }
            }
            Sample s = new Sample(cpu, reconciles, requests, threads);
            lastThreads = s;
            return s;
        }

        void quit() throws IOException, InterruptedException {
            in.write("quit\n");
            in.flush();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    static {
        // the results go to stdout; keep the JDK's UTF-8 for "µs" whatever the locale
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8));
    }
}
