package io.slipway.bench;

import static io.slipway.bench.BenchMain.info;
import static io.slipway.bench.BenchMain.quietly;
import static io.slipway.bench.BenchMain.secondsSince;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.BackboneConfigs;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.Topics;
import io.slipway.embedded.EmbeddedKafka;
import io.slipway.embedded.EmbeddedPostgres;
import io.slipway.event.ingest.EventIngest;
import io.slipway.event.ingest.IngestConfigs;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.kube.GeneratedEvent;
import io.slipway.testkit.kube.InvolvedObject;
import io.slipway.testkit.kube.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The event ingest benchmark (run {@code bench/events}), against one {@link SimulatedCluster}: (a) a bare fabric8
 * watch that only counts events, against (b) the whole path (event-svc's ingest: watch, dedup, enrich, normalize,
 * Kafka; a plain consumer counting at the end as the fast sink), both reading the same N events from the same
 * resourceVersion; then end-to-end latency (event stored in the API server to the sink) at a fixed rate. Kafka and
 * PostgreSQL are embedded, in a temporary directory removed at the end.
 *
 * <p>Tuning by system properties: {@code bench.events} (N, 200000: rounds of 3-4 s, so that what is measured is the sustained rate rather than a new ingest run's start and the JIT compiling the path, which took about a second of each 50,000-event round of (b)), {@code bench.rounds} (3), {@code bench.warmups} (unmeasured
 * pairs before them, 2), {@code bench.rate}
 * (events/s of the latency phase, 5000), {@code bench.seconds} (its length, 10); any {@code slipway.ingest.*} system property
 * is passed to the ingest's configuration (e.g. {@code -Dslipway.ingest.producer."linger.ms"=20}).
 */
public final class EventsBench {
    private static final int N = Integer.getInteger("bench.events", 200_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int WARMUPS = Integer.getInteger("bench.warmups", 2);
    private static final int RATE = Integer.getInteger("bench.rate", 5000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int NAMESPACES = 10;
    private static final int PODS_PER_NAMESPACE = 20;
    private static final String DB = "events_bench";
    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    private final EventCodec codec = EventCodec.released();
    private EmbeddedKafka kafka;
    private EmbeddedPostgres pg;
    private SimulatedCluster cluster;
    private Path tmp;
    private Path kubeconfig;
    private final List<InvolvedObject> pods = new ArrayList<>();
    private final List<EventIngest> ingests = new ArrayList<>();
    private volatile boolean cleanedUp;
    private String lastCpuA = "";
    private String lastCpuB = "";
    private String lastCpuStagesB = "";

    public static void main(String[] args) {
        EventsBench bench = new EventsBench();
        BenchMain.run(bench::run, bench::cleanUp, () -> bench.cleanedUp);
    }

    private void run() throws Exception {
        long t0 = System.nanoTime();
        tmp = Files.createTempDirectory("slipway-bench-events-");
        info("starting PostgreSQL and Kafka in " + tmp);
        CompletableFuture<EmbeddedKafka> k = CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(tmp.resolve("kafka")));
        pg = EmbeddedPostgres.start(tmp.resolve("postgres"));
        kafka = k.join();
        pg.createDatabaseIfMissing(DB);
        ServiceSchema.migrate(EventIngest.class, backbone().jdbcUrl(), pg.user(), pg.password(), tmp);
        cluster = SimulatedCluster.start().historyLimit(8 * N + 100_000);
        kubeconfig = cluster.writeKubeconfig(tmp.resolve("kubeconfig"), "bench");
        for (int ns = 0; ns < NAMESPACES; ns++) {
            for (int p = 0; p < PODS_PER_NAMESPACE; p++) {
                pods.add(cluster.createPod("team-" + ns, "app-" + p, Map.of("app", "app-" + p, "team", "team-" + ns),
                        Map.of("owner", "team-" + ns + "@example.org")));
            }
        }
        info(String.format(Locale.ROOT, "infra ready after %.1f s (simulated API server %s)", secondsSince(t0), cluster.url()));

        // every (b) round resumes from the same resourceVersion as (a): each gets a checkpoint there first
        List<String> rounds = new ArrayList<>();
        for (int r = 0; r < WARMUPS + ROUNDS; r++) {
            rounds.add("bench-" + r);
        }
        for (String name : rounds) {
            prime(name);
        }
        long from = cluster.resourceVersion();
        long preloadStart = System.nanoTime();
        for (int i = 0; i < N; i++) {
            occurrence(i);
        }
        info(String.format(Locale.ROOT, "%d events written after resourceVersion %d in %.1f s (%d distinct Event objects, the rest repeats)",
                N, from, secondsSince(preloadStart), distinctObjects(N)));

        // warm-up pairs, then (a) and (b) alternate, each figure the median of its rounds (this machine's noise drifts).
        // Two pairs: after one, the JIT was still compiling the whole path for seconds in every later (b) round
        // (C2 starved of CPU on two busy cores), which counted against (b) only
        for (int w = 0; w < WARMUPS; w++) {
            bareWatch(from);
            wholePath(rounds.get(w));
        }
        List<Double> bare = new ArrayList<>();
        List<Double> whole = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            bare.add(bareWatch(from));
            whole.add(wholePath(rounds.get(WARMUPS + r)));
        }
        double a = median(bare);
        double b = median(whole);
        Latency latency = latency();

        info("stopping the ingest, the simulated cluster, Kafka and PostgreSQL");
        cleanUp();
        System.out.println();
        System.out.printf(Locale.ROOT, "(a) bare watch client:    %8.0f events/s   (median of %d rounds of %d events: %s; fabric8 Watcher counting ADDED/MODIFIED)%n",
                a, ROUNDS, N, rates(bare));
        System.out.printf(Locale.ROOT, "(b) watch -> Kafka -> sink: %6.0f events/s   (median of %s; event-svc's ingest resuming from the same resourceVersion, counted by a plain consumer; goal >= %.0f = 0.8 x (a))%n",
                b, rates(whole), 0.8 * a);
        System.out.printf(Locale.ROOT, "latency at %d/s:        p50=%.1f ms p99=%.1f ms max=%.1f ms   (stored in the API server -> received by the sink, steady state (clock-skew=1s); goal p99 < 250 ms; achieved %.0f events/s over %d, none lost: %s)%n",
                RATE, latency.p50, latency.p99, latency.max, latency.achieved, latency.count, latency.complete);
        System.out.printf(Locale.ROOT, "(diagnostic) CPU per event, last round: (a) %s; (b) %s (2 cores here; (b) includes the startup of its run)%n",
                lastCpuA, lastCpuB);
        System.out.printf(Locale.ROOT, "(diagnostic) (b)'s CPU per event by thread, last round: %s%n", lastCpuStagesB);
        System.out.printf(Locale.ROOT, "(diagnostic) p99 per second of the latency phase, ms: %s%n", latency.p99PerSecond);
        if (latency.publishLatency != null) {
            System.out.printf(Locale.ROOT, "ingest's own timer:       %s (read off the watch -> acknowledged by Kafka, latency phase)%n", latency.publishLatency);
        }
        System.out.printf(Locale.ROOT, "total %.0f s%n", secondsSince(t0));
        System.out.printf(Locale.ROOT, "ratio=%.3f%n", b / a);
    }

    // ---- the event mix --------------------------------------------------------------------------------------------

    /** Occurrence {@code i}: over 200 pods, a fixed set of messages, so about a third are repeats of an earlier Event. */
    private GeneratedEvent occurrence(long i) {
        InvolvedObject pod = pods.get((int) (i % pods.size()));
        long variant = (i / pods.size()) % 3 == 2 ? (i / pods.size()) - 1 : i / pods.size();
        return (i % 5 == 0)
                ? cluster.events().emit(pod, "Warning", "FailedScheduling", "Scheduling", "0/12 nodes are available: insufficient cpu (" + variant + ")")
                : cluster.events().record(pod, i % 2 == 0 ? "Warning" : "Normal", i % 2 == 0 ? "BackOff" : "Pulled",
                        "container app: attempt " + variant);
    }

    private long distinctObjects(int n) {
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < n; i++) {
            long variant = (i / pods.size()) % 3 == 2 ? (i / pods.size()) - 1 : i / pods.size();
            seen.add((i % pods.size()) + "/" + (i % 5 == 0) + "/" + (i % 2) + "/" + variant);
        }
        return seen.size();
    }

    // ---- (a) ------------------------------------------------------------------------------------------------------

    /** A plain fabric8 watch from {@code from}, counting until it has seen N events; rate from the watch's opening. */
    private double bareWatch(long from) throws Exception {
        AtomicLong count = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        long[] cpuBefore = cpu();
        long start = System.nanoTime();
        try (Watch ignored = cluster.client().v1().events().inAnyNamespace().watch(
                new ListOptionsBuilder().withResourceVersion(Long.toString(from)).build(), new Watcher<Event>() {
                    @Override
                    public void eventReceived(Action action, Event event) {
                        if ((action == Action.ADDED || action == Action.MODIFIED) && count.incrementAndGet() == N) {
                            done.complete(System.nanoTime());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        done.completeExceptionally(cause);
                    }
                })) {
            long end = done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            double rate = N / ((end - start) / 1e9);
            lastCpuA = cpuPerEvent(cpuBefore, cpu(), N);
            info(String.format(Locale.ROOT, "(a) bare watch: %d events in %.2f s = %.0f events/s (CPU per event: %s)",
                    N, (end - start) / 1e9, rate, lastCpuA));
            return rate;
        }
    }

    // ---- (b) ------------------------------------------------------------------------------------------------------

    /** Starts the ingest of {@code name} on an empty history and stops it once its checkpoint is stored. */
    private void prime(String name) {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        EventIngest ingest = ingest(name, topicOf(name), metrics, Map.of());
        awaitUntil(() -> metrics.find("slipway.ingest.checkpoints").counter() != null
                && metrics.get("slipway.ingest.checkpoints").counter().count() >= 1, "the first checkpoint of " + name);
        stop(ingest);
    }

    /** The ingest resumes from the checkpoint before the N events; rate from its watch opening to the sink's Nth record. */
    private double wholePath(String name) throws Exception {
        String topic = topicOf(name);
        Sink sink = new Sink(topic, N, false);
        int before = cluster.openWatches();
        Map<Long, ThreadCpu> threadsBefore = threadCpu();
        long[] vmBefore = gcAndJit();
        long[] cpuBefore = cpu();
        long start = System.nanoTime();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        EventIngest ingest = ingest(name, topic, metrics, Map.of());
        awaitUntil(() -> cluster.openWatches() > before, "the ingest's watch");
        long opened = System.nanoTime();
        long end = sink.done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long[] cpuAfter = cpu();
        lastCpuB = cpuPerEvent(cpuBefore, cpuAfter, N);
        lastCpuStagesB = cpuPerStage(threadsBefore, threadCpu(), cpuAfter[0] - cpuBefore[0], N) + gcAndJitSince(vmBefore)
                + String.format(Locale.ROOT, "; the watch paused %.0f times for a full queue",
                metrics.get("slipway.ingest.watch.paused").counter().count());
        stop(ingest);
        sink.close();
        double rate = N / ((end - opened) / 1e9);
        info(String.format(Locale.ROOT, "(b) whole path: %d events in %.2f s = %.0f events/s (startup before the watch: %.2f s; duplicates at the sink: %d; CPU per event: %s; by thread: %s)",
                N, (end - opened) / 1e9, rate, (opened - start) / 1e9, sink.duplicates.get(), lastCpuB, lastCpuStagesB));
        if (sink.duplicates.get() > 0) {
            throw new IllegalStateException("the sink saw " + sink.duplicates.get() + " duplicates");
        }
        return rate;
    }

    // ---- latency --------------------------------------------------------------------------------------------------

    private record Latency(double p50, double p99, double max, double achieved, int count, boolean complete, String publishLatency,
                           String p99PerSecond) {
    }

    /** A fresh ingest watching live; events written on a fixed schedule; stored-to-sink time per event. */
    private Latency latency() throws Exception {
        String name = "bench-live";
        String topic = topicOf(name);
        int n = RATE * SECONDS;
        int warm = RATE; // the first second warms the new run (its producer, its enrichment cache) and is not measured
        Map<String, Long> storedAt = new ConcurrentHashMap<>(2 * n);
        Sink sink = new Sink(topic, warm + n, true);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        int before = cluster.openWatches();
        // what the cluster holds already is old for this ingest: skipped on its first start. The simulated cluster
        // stamps events with this JVM's clock, so no reporter runs ahead of it: with the default clock skew (2 min)
        // every event of this short phase would be looked up in the database, as in the first minutes after a restart
        EventIngest ingest = ingest(name, topic, metrics, Map.of("slipway.ingest.max-event-age", "0s",
                "slipway.ingest.pipeline.clock-skew", "1s"));
        awaitUntil(() -> cluster.openWatches() > before && metrics.get("slipway.ingest.events.skipped.old").counter().count() >= distinctObjects(N)
                && metrics.get("slipway.ingest.queue.depth").gauge().value() == 0, "the first list of " + name);
        // and the checkpoint after it (tens of thousands of skipped ids inserted), so that it does not run meanwhile
        double checkpoints = metrics.get("slipway.ingest.checkpoints").counter().count();
        awaitUntil(() -> metrics.get("slipway.ingest.checkpoints").counter().count() > checkpoints, "the checkpoint after the first list");
        info("latency: ingest watching; writing " + (warm + n) + " events at " + RATE + "/s, the last " + n + " measured");
        long period = 1_000_000_000L / RATE;
        long start = System.nanoTime() + 20_000_000L;
        long first = 0;
        long last = 0;
        for (int i = 0; i < warm + n; i++) {
            long due = start + i * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            GeneratedEvent e = occurrence(N + (long) i);
            if (i < warm) {
                continue;
            }
            storedAt.put(e.occurrence(), e.storedAtNanos());
            if (i == warm) {
                first = e.storedAtNanos();
            }
            last = e.storedAtNanos();
        }
        boolean complete = true;
        try {
            sink.done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            complete = false;
            info("latency: not every event reached the sink within " + TIMEOUT.toSeconds() + " s; ingest counters: "
                    + metrics.getMeters().stream().filter(m -> m.getId().getType() == io.micrometer.core.instrument.Meter.Type.COUNTER)
                    .map(m -> m.getId().getName() + "=" + m.measure().iterator().next().getValue()).toList());
        }
        stop(ingest);
        sink.close();
        // stored -> received per occurrence, joined afterwards: the sink may see an event before its writer noted it
        List<long[]> samples = new ArrayList<>(n);
        storedAt.forEach((occurrence, at) -> {
            Long received = sink.receivedAt(occurrence);
            if (received != null) {
                samples.add(new long[] {at, received - at});
            }
        });
        double[] ms = samples.stream().mapToDouble(x -> x[1] / 1e6).sorted().toArray();
        Timer own = metrics.find("slipway.ingest.publish.latency").timer();
        Latency l = new Latency(ms[(int) Math.ceil(0.50 * ms.length) - 1], ms[(int) Math.ceil(0.99 * ms.length) - 1], ms[ms.length - 1],
                (n - 1) / ((last - first) / 1e9), ms.length, complete && ms.length == n, own == null ? null : percentiles(own),
                p99PerSecond(samples, first));
        info(String.format(Locale.ROOT, "latency at %d/s: p50=%.1f ms p99=%.1f ms max=%.1f ms (achieved %.0f/s, %d of %d at the sink)",
                RATE, l.p50, l.p99, l.max, l.achieved, ms.length, n));
        return l;
    }

    // ---- the fast sink --------------------------------------------------------------------------------------------

    /**
     * A plain consumer counting distinct event ids from the beginning of a topic; when {@code timed}, it also notes
     * when each occurrence (uid/count) arrived.
     */
    private final class Sink implements AutoCloseable {
        final CompletableFuture<Long> done = new CompletableFuture<>();
        final AtomicLong duplicates = new AtomicLong();
        private final Set<String> ids = ConcurrentHashMap.newKeySet();
        private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Sink(String topic, int expected, boolean timed) {
            Topics.ensure(kafka.bootstrapServers(), 3, List.of(topic));
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = new Thread(() -> {
                try (consumer) {
                    while (running) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                            long now = System.nanoTime();
                            if (!ids.add(EventHeaders.get(r.headers(), EventHeaders.EVENT_ID))) {
                                duplicates.incrementAndGet();
                                continue;
                            }
                            if (timed) {
                                KubeEvent e = codec.decode(r.value(), KubeEvent.class);
                                receivedAt.put(e.getUid() + "/" + e.getCount(), now);
                            }
                            if (ids.size() == expected) {
                                done.complete(now);
                            }
                        }
                    }
                }
            }, "bench-sink-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        Long receivedAt(String occurrence) {
            return receivedAt.get(occurrence);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** p99 (ms) of the events stored in each second of the phase, to tell a steady tail from a one-off stall. */
    private static String p99PerSecond(List<long[]> samples, long first) {
        Map<Long, List<Long>> bySecond = new java.util.TreeMap<>();
        for (long[] s : samples) {
            bySecond.computeIfAbsent((s[0] - first) / 1_000_000_000L, k -> new ArrayList<>()).add(s[1]);
        }
        List<String> out = new ArrayList<>();
        bySecond.forEach((second, values) -> {
            long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
            out.add(String.format(Locale.ROOT, "%.0f", v[(int) Math.ceil(0.99 * v.length) - 1] / 1e6));
        });
        return String.join(" ", out);
    }

    /** CPU time so far of this JVM and of the Kafka broker's (nanoseconds). */
    private long[] cpu() {
        long self = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        long broker = ProcessHandle.of(kafka.pid()).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        return new long[] {self, broker};
    }

    private record ThreadCpu(String name, long nanos) {
    }

    /** CPU time so far of every live thread of this JVM, by thread id. */
    private static Map<Long, ThreadCpu> threadCpu() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, ThreadCpu> cpu = new HashMap<>();
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null) {
                long nanos = threads.getThreadCpuTime(t.getThreadId());
                if (nanos >= 0) {
                    cpu.put(t.getThreadId(), new ThreadCpu(t.getThreadName(), nanos));
                }
            }
        }
        return cpu;
    }

    /**
     * Where (b)'s CPU went, per event: the ingest's threads (its own Vert.x event loops, started with the run, read
     * the watch; the preparing and the publisher thread; the producer's I/O thread; checkpoints), the counting sink, the
     * simulated API server (the event loops that were there before), and the rest of the process (GC, JIT, threads that
     * ended).
     */
    private static String cpuPerStage(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after, long processNanos, int events) {
        Map<String, Long> stages = new java.util.LinkedHashMap<>();
        for (String stage : List.of("reading", "preparing", "publisher", "producer I/O", "checkpoints", "sink", "API server", "other threads")) {
            stages.put(stage, 0L);
        }
        long threadsTotal = 0;
        for (var e : after.entrySet()) {
            ThreadCpu was = before.get(e.getKey());
            long used = e.getValue().nanos() - (was == null ? 0 : was.nanos());
            String n = e.getValue().name();
            String stage = n.startsWith("vert.x-eventloop") ? (was == null ? "reading" : "API server")
                    : n.startsWith("ingest-prepare") ? "preparing"
                    : n.startsWith("ingest-publish") ? "publisher"
                    : n.startsWith("kafka-producer-network-thread | slipway-ingest") ? "producer I/O"
                    : n.startsWith("ingest-checkpoint") ? "checkpoints"
                    : n.startsWith("bench-sink") ? "sink" : "other threads";
            stages.merge(stage, used, Long::sum);
            threadsTotal += used;
        }
        stages.put("GC, JIT, ended threads", processNanos - threadsTotal);
        List<String> parts = new ArrayList<>();
        stages.forEach((stage, nanos) -> parts.add(String.format(Locale.ROOT, "%s %.1f", stage, nanos / 1e3 / events)));
        return String.join(", ", parts) + " us";
    }

    /** Collections so far, their total time (ms) and the JIT's compilation time (ms) in this JVM. */
    private static long[] gcAndJit() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis, java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime()};
    }

    private static String gcAndJitSince(long[] before) {
        long[] now = gcAndJit();
        return String.format(Locale.ROOT, " (of which %d collections taking %d ms, JIT compiling %d ms)", now[0] - before[0],
                now[1] - before[1], now[2] - before[2]);
    }

    private static String cpuPerEvent(long[] before, long[] after, int events) {
        return String.format(Locale.ROOT, "%.0f us in this JVM + %.0f us in the broker",
                (after[0] - before[0]) / 1e3 / events, (after[1] - before[1]) / 1e3 / events);
    }

    private static String topicOf(String name) {
        return "bench.kube.events." + name;
    }

    private EventIngest ingest(String name, String topic, SimpleMeterRegistry metrics, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(
                "slipway.ingest.topic", topic,
                "slipway.ingest.clusters." + name + ".kubeconfig", kubeconfig.toString(),
                "slipway.ingest.clusters." + name + ".context", "bench"));
        props.putAll(extra);
        // -Dslipway.ingest.<key>=... tries a setting (e.g. a producer property) without a rebuild
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("slipway.ingest."))
                .forEach(k -> props.put(k, System.getProperty(k)));
        EventIngest ingest = new EventIngest(IngestConfigs.of(props), backbone(), metrics);
        ingest.start();
        ingests.add(ingest);
        return ingest;
    }

    private void stop(EventIngest ingest) {
        ingest.stop();
        ingests.remove(ingest);
    }

    private BackboneConfig backbone() {
        return BackboneConfigs.of(Map.of(
                "slipway.domain", "event",
                "slipway.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "slipway.db.host", pg.host(),
                "slipway.db.port", String.valueOf(pg.port()),
                "slipway.db.name", DB,
                "slipway.db.user", pg.user(),
                "slipway.db.password", pg.password()));
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String rates(List<Double> values) {
        return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    }

    private static String percentiles(Timer t) {
        StringBuilder b = new StringBuilder();
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            b.append(String.format(Locale.ROOT, "p%.0f=%.1f ms ", v.percentile() * 100, v.value(TimeUnit.MILLISECONDS)));
        }
        return b.append(String.format(Locale.ROOT, "(%d events)", t.count())).toString();
    }

    /** Stops the ingests, the simulated cluster, Kafka and PostgreSQL, then removes the temporary directory; runs once. */
    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        for (EventIngest i : List.copyOf(ingests)) {
            quietly(i::stop);
        }
        if (cluster != null) {
            quietly(cluster::close);
        }
        BenchMain.stopInfrastructure(kafka, pg, tmp);
    }
}
