package io.slipway.bench;

import static io.slipway.bench.BenchMain.info;
import static io.slipway.bench.BenchMain.secondsSince;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.Topics;
import io.slipway.backbone.outbox.OutboxMessage;
import io.slipway.backbone.outbox.OutboxSchema;
import io.slipway.backbone.relay.OutboxRelay;
import io.slipway.embedded.EmbeddedKafka;
import io.slipway.embedded.EmbeddedPostgres;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The outbox benchmark (run {@code bench/outbox}): PostgreSQL's commit rate for plain state transactions against the
 * same transactions through each outbox design, relayed by the real {@link OutboxRelay} (Debezium) and counted when
 * a Kafka consumer has received the event:
 * <ul>
 * <li><b>message</b> (the backbone's design): the event is a transactional logical decoding message, written
 * exactly as {@code Outbox.append} writes it;</li>
 * <li><b>table</b> (the former design, kept here for comparison only): the event is a row of {@code outbox_event},
 * which the relay still reads for upgrades, and which this benchmark truncates every 30 s as the former relay did.</li>
 * </ul>
 * Then each design's transactions with the relay stopped (the writer's own cost), commit-to-consume latency at a
 * fixed rate for the message design, and a plain producer for context; CPU per event by process for every phase.
 * Everything runs on embedded PostgreSQL and Kafka in a temporary directory that is removed at the end.
 *
 * <p>Tuning by system properties: {@code bench.tx} (transactions per throughput phase, 10000), {@code bench.rounds}
 * (3), {@code bench.threads} (connections, 4), {@code bench.rate} (changes/s of the latency phase, 1000),
 * {@code bench.seconds} (its length, 10), {@code bench.producer.records} (50000).
 */
public final class OutboxBench {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final String DOMAIN = "bench";
    private static final String DB = "bench";

    private static final int TX = Integer.getInteger("bench.tx", 10_000);
    private static final int THREADS = Integer.getInteger("bench.threads", 4);
    private static final int RATE = Integer.getInteger("bench.rate", 1000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int PRODUCER_RECORDS = Integer.getInteger("bench.producer.records", 50_000);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration TRUNCATE_INTERVAL = Duration.ofSeconds(30);

    private static final String INSERT_STATE =
            "insert into build_state(id, image, state, requested_by, updated_at) values (?, ?, 'Requested', ?, ?)";
    private static final String INSERT_OUTBOX = "insert into outbox_event(id, aggregate_type, aggregate_id, event_type,"
            + " payload, correlation_id, causation_id, traceparent) values (?, ?, ?, ?, ?, ?, ?, ?)";

    /** What a transaction writes besides its state row. */
    private enum Design {
        PLAIN("plain transactions"),
        TABLE("table outbox (former)"),
        MESSAGE("message outbox (kept)");

        final String label;

        Design(String label) {
            this.label = label;
        }
    }

    private final EventCodec codec = EventCodec.released();
    private final String prefix = OutboxMessage.prefix(DOMAIN);
    /** eventId -> System.nanoTime() when the consumer first saw it. */
    private final Map<String, Long> received = new ConcurrentHashMap<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong writerCpu = new AtomicLong();
    /** Events written while the relay was stopped, to be delivered once it runs again. */
    private final List<String> pendingIds = new ArrayList<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private volatile boolean consuming = true;

    private EmbeddedPostgres pg;
    private EmbeddedKafka kafka;
    private OutboxRelay relay;
    private SimpleMeterRegistry metrics;
    private Thread consumer;
    private CpuMeter cpu;
    private BlockingQueue<Writer> writers;
    private ScheduledExecutorService janitor;
    private Path tmp;
    private volatile boolean cleanedUp;

    public static void main(String[] args) {
        OutboxBench bench = new OutboxBench();
        BenchMain.run(bench::run, bench::cleanUp, () -> bench.cleanedUp);
    }

    private void run() throws Exception {
        long t0 = System.nanoTime();
        tmp = Files.createTempDirectory("slipway-bench-");
        info("starting PostgreSQL and Kafka in " + tmp);
        CompletableFuture<EmbeddedKafka> k = CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(tmp.resolve("kafka")));
        pg = EmbeddedPostgres.start(tmp.resolve("postgres"));
        kafka = k.join();
        pg.createDatabaseIfMissing(DB);
        createSchema();
        String topic = EventHeaders.eventsTopic(DOMAIN);
        Topics.ensure(kafka.bootstrapServers(), 3, List.of(topic));
        startConsumer(topic);
        writers = new ArrayBlockingQueue<>(THREADS);
        for (int i = 0; i < THREADS; i++) {
            writers.add(new Writer());
        }
        cpu = new CpuMeter(postmasterPid(), kafka.pid(), this::walsenderPid, writerCpu::get,
                () -> Math.max(0, threads.getThreadCpuTime(consumer.threadId())));
        // the former relay's janitor, for the table design: its rows are in the write-ahead log, which is all the relay reads
        janitor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-outbox-janitor"));
        janitor.scheduleWithFixedDelay(this::truncateOutboxTable, TRUNCATE_INTERVAL.toMillis(), TRUNCATE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);

        metrics = new SimpleMeterRegistry();
        relay = new OutboxRelay(config(), metrics);
        relay.start();
        awaitRelay();
        info(String.format(Locale.ROOT, "infra ready after %.1f s (PostgreSQL %s, Kafka %s)",
                secondsSince(t0), serverVersion(), kafka.bootstrapServers()));

        // warm-up: JIT, the relay's first batches of both kinds; checks that the whole path works
        int warmUp = Math.max(THREADS * 250, TX / 2);
        for (Design d : Design.values()) {
            runPhase(warmUp, d, false);
        }

        // The designs alternate, starting with a different one each round, and each figure is the median of its rounds:
        // this machine's noise drifts over seconds, and alternating puts all three under the same drift.
        Map<Design, List<PhaseResult>> results = new EnumMap<>(Design.class);
        Map<Design, CpuMeter.Sample> cpuOf = new EnumMap<>(Design.class);
        long[] before = relayFootprint();
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < Design.values().length; i++) {
                Design d = Design.values()[(round + i) % Design.values().length];
                PhaseResult r = runPhase(TX, d, true);
                results.computeIfAbsent(d, x -> new ArrayList<>()).add(r);
                cpuOf.merge(d, r.cpu, CpuMeter.Sample::plus);
            }
        }
        long[] after = relayFootprint();
        PhaseResult plain = median(results.get(Design.PLAIN));
        PhaseResult table = median(results.get(Design.TABLE));
        PhaseResult message = median(results.get(Design.MESSAGE));

        // each design's transaction alone: the relay stopped (nothing decodes), restarted afterwards to deliver; plain
        // too, because with the relay running even a plain transaction costs the walsender and Debezium its BEGIN and COMMIT
        PhaseResult plainAlone = runWithRelayStopped(Design.PLAIN);
        PhaseResult tableAlone = runWithRelayStopped(Design.TABLE);
        PhaseResult messageAlone = runWithRelayStopped(Design.MESSAGE);
        Latency latency = runLatency();
        double producerRate = runProducer();

        Timer lag = metrics.find("slipway.outbox.relay.lag").timer();
        String lagText = lag == null ? null : percentiles(lag);
        info("stopping the relay, Kafka and PostgreSQL");
        cleanUp(); // before the summary, so that nothing is printed after the last line

        long events = (long) ROUNDS * TX;
        System.out.println();
        System.out.printf(Locale.ROOT, "plain transactions:        %8.0f tx/s   (median of %d rounds of %d tx on %d connections: %s; the database's commit rate)%n",
                plain.rate, ROUNDS, TX, THREADS, rates(results.get(Design.PLAIN)));
        System.out.printf(Locale.ROOT, "table outbox (former):     %8.0f tx/s   ratio %.3f   (median of %s; commits alone %.0f tx/s; relay + consume included)%n",
                table.rate, table.rate / plain.rate, rates(results.get(Design.TABLE)), TX / table.commitSeconds);
        System.out.printf(Locale.ROOT, "message outbox (kept):     %8.0f tx/s   ratio %.3f   (median of %s; commits alone %.0f tx/s; relay + consume included; goal ratio >= 0.85)%n",
                message.rate, message.rate / plain.rate, rates(results.get(Design.MESSAGE)), TX / message.commitSeconds);
        System.out.printf(Locale.ROOT, "(diagnostic) the transactions alone, relay stopped: plain %.0f tx/s, table %.0f tx/s (%.2f x), message %.0f tx/s (%.2f x)%n",
                plainAlone.rate, tableAlone.rate, tableAlone.rate / plainAlone.rate, messageAlone.rate, messageAlone.rate / plainAlone.rate);
        System.out.printf(Locale.ROOT, "(diagnostic) CPU per transaction in us, all rounds (at r tx/s, %d cores give %.0f / r us; relay JVM = the JVM but writers and consumer: relay, GC, JIT):%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors() * 1e6);
        for (Design d : Design.values()) {
            System.out.printf(Locale.ROOT, "  %-24s %s%n", d.label + ":", cpuOf.get(d).perEvent(events));
        }
        System.out.printf(Locale.ROOT, "  %-24s %s%n", "plain, relay stopped:", plainAlone.cpu.perEvent(TX));
        System.out.printf(Locale.ROOT, "  %-24s %s%n", "table, relay stopped:", tableAlone.cpu.perEvent(TX));
        System.out.printf(Locale.ROOT, "  %-24s %s%n", "message, relay stopped:", messageAlone.cpu.perEvent(TX));
        System.out.printf(Locale.ROOT, "(diagnostic) during the rounds: %d new database sessions, %d relay_offset writes (offset flushes)%n",
                after[0] - before[0], after[1] - before[1]);
        System.out.printf(Locale.ROOT, "latency at %d/s (message): p50=%.1f ms p99=%.1f ms max=%.1f ms   (goal p99 < 100 ms; achieved %.0f changes/s over %d events)%n",
                RATE, latency.p50, latency.p99, latency.max, latency.achievedRate, latency.count);
        System.out.printf(Locale.ROOT, "kafka producer:            %8.0f records/s   (context: acks=all, idempotent, %d records)%n",
                producerRate, PRODUCER_RECORDS);
        if (lagText != null) {
            System.out.printf(Locale.ROOT, "relay's own lag timer:     %s (commit-to-publish, all phases; duplicates seen by the consumer: %d)%n",
                    lagText, duplicates.get());
        }
        if (table.rate > message.rate) {
            System.out.printf(Locale.ROOT, "NOTE: the table design was faster in this run (%.0f against %.0f tx/s)%n", table.rate, message.rate);
        }
        System.out.printf(Locale.ROOT, "total %.0f s%n", secondsSince(t0));
        System.out.printf(Locale.ROOT, "ratio=%.3f%n", message.rate / plain.rate);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private record PhaseResult(double rate, double commitSeconds, CpuMeter.Sample cpu) {
    }

    private static PhaseResult median(List<PhaseResult> results) {
        List<PhaseResult> sorted = results.stream().sorted(Comparator.comparingDouble(PhaseResult::rate)).toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String rates(List<PhaseResult> results) {
        return String.join(", ", results.stream().map(r -> String.format(Locale.ROOT, "%.0f", r.rate())).toList());
    }

    /**
     * {@code n} transactions on {@link #THREADS} connections. With an outbox, the phase ends when the consumer has
     * received every event, and the rate counts from the first commit to then.
     */
    private PhaseResult runPhase(int n, Design design, boolean report) throws Exception {
        return runPhase(n, design, true, report);
    }

    private PhaseResult runPhase(int n, Design design, boolean awaitDelivery, boolean report) throws Exception {
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>(design == Design.PLAIN ? 0 : n));
        AtomicInteger next = new AtomicInteger();
        AtomicLong firstCommit = new AtomicLong();
        CpuMeter.Sample cpuBefore = cpu.sample();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < THREADS; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                Writer writer = writers.remove();
                try {
                    while (next.getAndIncrement() < n) {
                        String id = writer.transaction(design);
                        firstCommit.compareAndSet(0, System.nanoTime());
                        if (id != null) {
                            ids.add(id);
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } finally {
                    writers.add(writer);
                    writerCpu.addAndGet(threads.getCurrentThreadCpuTime());
                }
            }, runnable -> new Thread(runnable, "bench-writer").start()));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        long committed = System.nanoTime();
        long end = committed;
        boolean delivered = design != Design.PLAIN && awaitDelivery;
        if (delivered) {
            end = awaitReceived(ids);
        }
        CpuMeter.Sample used = cpu.sample().minus(cpuBefore);
        double seconds = (end - (delivered ? firstCommit.get() : start)) / 1e9;
        double rate = n / seconds;
        if (report) {
            info(String.format(Locale.ROOT, "%s%s: %d tx in %.2f s = %.0f tx/s (CPU per tx, us: %s; duplicates so far: %d)", design.label,
                    awaitDelivery ? "" : ", relay stopped", n, seconds, rate, used.perEvent(n), duplicates.get()));
        }
        if (!awaitDelivery && design != Design.PLAIN) {
            pendingIds.addAll(ids);
        }
        return new PhaseResult(rate, (committed - start) / 1e9, used);
    }

    /** The design's transactions while no relay runs; then the relay is started again and must deliver them all. */
    private PhaseResult runWithRelayStopped(Design design) throws Exception {
        relay.stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (walsenderPid() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50); // its CPU then moves to the postmaster's, counted as PostgreSQL's
        }
        PhaseResult r = runPhase(TX, design, false, true);
        relay.start();
        awaitRelay();
        awaitReceived(pendingIds);
        pendingIds.clear();
        info(String.format(Locale.ROOT, "%s, relay stopped: delivered after the restart (duplicates so far: %d)", design.label, duplicates.get()));
        return r;
    }

    private long awaitReceived(List<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
        long last = 0;
        for (String id : ids) {
            Long at;
            while ((at = received.get(id)) == null) {
                if (System.nanoTime() > deadline) {
                    long missing = ids.stream().filter(i -> !received.containsKey(i)).count();
                    throw new IllegalStateException(missing + " of " + ids.size() + " events did not reach the consumer within "
                            + DELIVERY_TIMEOUT.toSeconds() + " s (relay leader: " + relay.isLeader() + ")");
                }
                Thread.sleep(1);
            }
            last = Math.max(last, at);
        }
        return last;
    }

    private record Latency(double p50, double p99, double max, double achievedRate, int count) {
    }

    /** Commits on a fixed-rate schedule (event i is due at start + i/RATE s), measuring commit-to-consume per event. */
    private Latency runLatency() throws Exception {
        int n = RATE * SECONDS;
        long periodNanos = 1_000_000_000L / RATE;
        String[] ids = new String[n];
        long[] committedAt = new long[n];
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime() + 50_000_000L;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < THREADS; w++) {
            workers.add(CompletableFuture.runAsync(() -> {
                Writer writer = writers.remove();
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        long due = start + i * periodNanos;
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        ids[i] = writer.transaction(Design.MESSAGE);
                        committedAt[i] = System.nanoTime();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } finally {
                    writers.add(writer);
                }
            }, runnable -> new Thread(runnable, "bench-paced-writer").start()));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        awaitReceived(Arrays.asList(ids));
        double[] ms = new double[n];
        long firstCommit = Long.MAX_VALUE;
        long lastCommit = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            ms[i] = Math.max(0, received.get(ids[i]) - committedAt[i]) / 1e6;
            firstCommit = Math.min(firstCommit, committedAt[i]);
            lastCommit = Math.max(lastCommit, committedAt[i]);
        }
        Arrays.sort(ms);
        double achieved = (n - 1) / ((lastCommit - firstCommit) / 1e9);
        Latency l = new Latency(ms[(int) Math.ceil(0.50 * n) - 1], ms[(int) Math.ceil(0.99 * n) - 1], ms[n - 1], achieved, n);
        info(String.format(Locale.ROOT, "latency at %d/s (message): p50=%.1f ms p99=%.1f ms max=%.1f ms (achieved %.0f/s)",
                RATE, l.p50, l.p99, l.max, l.achievedRate));
        return l;
    }

    /** A plain idempotent producer (acks=all, the relay's linger and compression) on a fresh topic. */
    private double runProducer() throws Exception {
        String topic = "bench.producer";
        Topics.ensure(kafka.bootstrapServers(), 3, List.of(topic));
        byte[] value = payload(UUID.randomUUID().toString());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic); // metadata outside the measurement
            producer.send(new ProducerRecord<>(topic, "warm-up", value)).get();
            long start = System.nanoTime();
            List<Future<RecordMetadata>> sends = new ArrayList<>(PRODUCER_RECORDS);
            for (int i = 0; i < PRODUCER_RECORDS; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, Integer.toString(i % 1000), value)));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get();
            }
            double rate = PRODUCER_RECORDS / ((System.nanoTime() - start) / 1e9);
            info(String.format(Locale.ROOT, "kafka producer: %d records of %d bytes = %.0f records/s", PRODUCER_RECORDS, value.length, rate));
            return rate;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** One connection, kept for the whole run, and the transaction shape of each design. */
    private final class Writer implements AutoCloseable {
        private final Connection c;
        private final PreparedStatement state;
        private final PreparedStatement insertOutbox;
        private final PreparedStatement emitMessage;

        Writer() throws SQLException {
            c = pg.connect(DB);
            c.setAutoCommit(false);
            state = c.prepareStatement(INSERT_STATE);
            insertOutbox = c.prepareStatement(INSERT_OUTBOX);
            emitMessage = c.prepareStatement(OutboxMessage.EMIT_SQL);
        }

        /** Inserts a state row and, with an outbox design, appends its event as that design does; commits. */
        String transaction(Design design) throws SQLException {
            UUID buildId = UUID.randomUUID();
            Instant now = Instant.now();
            state.setObject(1, buildId);
            state.setString(2, "etcd:v3.5." + (buildId.hashCode() & 0xff));
            state.setString(3, "bench");
            state.setTimestamp(4, Timestamp.from(now));
            state.executeUpdate();
            String eventId = null;
            if (design != Design.PLAIN) {
                UUID id = UUID.randomUUID();
                String traceparent = "00-" + buildId.toString().replace("-", "") + "-" + id.toString().substring(0, 18).replace("-", "") + "-01";
                byte[] payload = payload(buildId.toString());
                String type = BuildRequested.getClassSchema().getName();
                if (design == Design.TABLE) {
                    insertOutbox.setObject(1, id);
                    insertOutbox.setString(2, DOMAIN);
                    insertOutbox.setString(3, buildId.toString());
                    insertOutbox.setString(4, type);
                    insertOutbox.setBytes(5, payload);
                    insertOutbox.setString(6, buildId.toString());
                    insertOutbox.setString(7, null);
                    insertOutbox.setString(8, traceparent);
                    insertOutbox.executeUpdate();
                } else {
                    // what Outbox.append does
                    emitMessage.setString(1, prefix);
                    emitMessage.setBytes(2, new OutboxMessage(id, type, buildId.toString(), buildId.toString(), null, traceparent,
                            payload).encode());
                    emitMessage.executeQuery().close();
                }
                eventId = id.toString();
            }
            c.commit();
            return eventId;
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }

    private byte[] payload(String buildId) {
        return codec.encode(BuildRequested.newBuilder().setBuildId(buildId).setImage("registry.local/etcd:v3.5.17")
                .setContext("https://git.local/infra/etcd.git#main").setPlatforms(List.of("linux/amd64"))
                .setBuildArgs(Map.of("VERSION", "3.5.17")).setRequestedBy("bench")
                .setRequestedAt(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)).build());
    }

    private void createSchema() throws SQLException {
        io.slipway.backbone.schema.BackboneSchema.migrate(config());
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            st.execute("""
                    create table build_state (
                      id uuid primary key, image text not null, state text not null, requested_by text not null,
                      updated_at timestamptz not null)""");
            // the slot and publication exactly as a service's backbone creates them (the former outbox table, which the
            // table design writes, came with the backbone's migrations above)
            OutboxSchema.prepare(c, config().slotName());
        }
    }

    private void truncateOutboxTable() {
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            // A truncate queues writers behind its lock; give up quickly and try again next time.
            st.execute("set lock_timeout = '100ms'");
            st.execute("truncate outbox_event");
        } catch (SQLException e) {
            info("outbox table truncate skipped: " + e.getMessage());
        }
    }

    private void startConsumer(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // as every Slipway consumer reads: an event counts once the relay's Kafka transaction committed it
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.getInteger("bench.consumer.fetch-max-wait-ms", 20).toString());
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.getInteger("bench.consumer.fetch-min-bytes", 1).toString());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                .map((PartitionInfo i) -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        consumer = new Thread(() -> {
            try (c) {
                while (consuming) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        String id = EventHeaders.get(r.headers(), EventHeaders.EVENT_ID);
                        if (id != null && received.putIfAbsent(id, now) != null) {
                            duplicates.incrementAndGet();
                        }
                    }
                }
            }
        }, "bench-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    /** Until the relay holds its lock and its replication slot is streaming. */
    private void awaitRelay() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (relay.isLeader() && walsenderPid() != 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the relay did not become active (slot " + config().slotName() + ") within 120 s");
    }

    /** The process streaming the relay's slot, 0 when none. */
    private long walsenderPid() {
        try (Connection c = pg.connect(DB);
             PreparedStatement q = c.prepareStatement("select active_pid from pg_replication_slots where slot_name = ? and active")) {
            q.setString(1, config().slotName());
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long postmasterPid() throws Exception {
        try (Connection c = pg.connect(DB); ResultSet rs = c.createStatement().executeQuery("select current_setting('data_directory')")) {
            rs.next();
            return Long.parseLong(Files.readAllLines(Path.of(rs.getString(1), "postmaster.pid")).getFirst().trim());
        }
    }

    /** The backbone's own typed configuration with its own defaults, as a service would have it. */
    private BackboneConfig config() {
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "slipway.domain", DOMAIN,
                "slipway.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "slipway.db.host", pg.host(),
                "slipway.db.port", String.valueOf(pg.port()),
                "slipway.db.name", DB,
                "slipway.db.user", pg.user(),
                "slipway.db.password", pg.password()));
        // -Dslipway.relay.connector."poll.interval.ms"=100 and the like, to try a setting
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("slipway.relay."))
                .forEach(k -> properties.put(k, System.getProperty(k)));
        return io.slipway.backbone.BackboneConfigs.of(properties);
    }

    /** Sessions opened on the bench database and rows written to relay_offset so far (statistics lag ~0.5 s). */
    private long[] relayFootprint() throws Exception {
        Thread.sleep(700);
        try (Connection c = pg.connect(DB); ResultSet rs = c.createStatement().executeQuery(
                "select (select sessions from pg_stat_database where datname = current_database()),"
                        + " (select coalesce(sum(n_tup_ins + n_tup_upd), 0) from pg_stat_user_tables where relname = 'relay_offset')")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private String serverVersion() throws SQLException {
        try (Connection c = pg.connect(DB); ResultSet rs = c.createStatement().executeQuery(
                "select current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit='"
                        + " || current_setting('synchronous_commit')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String percentiles(Timer t) {
        StringBuilder b = new StringBuilder();
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            b.append(String.format(Locale.ROOT, "p%.0f=%.1f ms ", v.percentile() * 100, v.value(TimeUnit.MILLISECONDS)));
        }
        return b.append(String.format(Locale.ROOT, "(%d published)", t.count())).toString();
    }

    /** Stops the relay, the consumer, the writers, Kafka and PostgreSQL, then removes the temporary directory; runs once. */
    private synchronized void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        consuming = false;
        if (janitor != null) {
            janitor.shutdownNow();
        }
        if (relay != null) {
            relay.stop();
        }
        if (consumer != null) {
            try {
                consumer.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (writers != null) {
            for (Writer w : writers) {
                BenchMain.quietly(() -> {
                    try {
                        w.close();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        BenchMain.stopInfrastructure(kafka, pg, tmp);
    }
}
