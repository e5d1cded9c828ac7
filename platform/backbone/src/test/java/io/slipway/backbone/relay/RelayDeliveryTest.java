package io.slipway.backbone.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.Topics;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * What the outbox promises its consumers, end to end through PostgreSQL's logical decoding messages, Debezium and
 * Kafka: a committed event arrives with its envelope, a rolled-back one never does, and each event is on the topic
 * exactly once as a {@code read_committed} consumer sees it, whether the relay is stopped, killed before it stored its
 * offset or mid-stream, or Kafka is killed and started again under it.
 */
class RelayDeliveryTest {
    final OutboxFixture outbox = new OutboxFixture();
    final String topic = EventHeaders.eventsTopic(outbox.domain);

    List<ConsumerRecord<String, byte[]>> eventsOf(String key) {
        return KafkaTopics.readAll(topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    @Test
    void anEventOfACommittedTransactionArrivesOnceWithItsKeyAndEnvelope() throws Exception {
        outbox.prepare();
        UUID id;
        try (Connection c = outbox.connect()) {
            c.setAutoCommit(false);
            c.createStatement().execute("create table build_state(id text primary key)");
            c.createStatement().execute("insert into build_state values ('b-1')");
            id = outbox.emit(c, "b-1");
            c.commit();
        }
        OutboxRelay relay = new OutboxRelay(outbox.config, new SimpleMeterRegistry());
        relay.start();
        try {
            ConsumerRecord<String, byte[]> r = await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf("b-1"), l -> !l.isEmpty()).get(0);
            assertThat(r.headers().toArray()).extracting(h -> h.key()).as("the envelope and the position, nothing of the connector")
                    .containsExactlyInAnyOrder(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE, EventHeaders.CORRELATION_ID,
                            EventHeaders.CAUSATION_ID, EventHeaders.TRACEPARENT, EventHeaders.OUTBOX_POSITION);
            assertThat(KafkaTopics.header(r, EventHeaders.OUTBOX_POSITION))
                    .matches(java.util.regex.Pattern.quote(outbox.config.slotName()) + "@[0-9]+ [0-9A-F]+/[0-9A-F]+:[0-9A-F]+/[0-9A-F]+");
            assertThat(KafkaTopics.header(r, EventHeaders.EVENT_ID)).isEqualTo(id.toString());
            assertThat(KafkaTopics.header(r, EventHeaders.EVENT_TYPE)).isEqualTo("BuildRequested");
            assertThat(KafkaTopics.header(r, EventHeaders.CORRELATION_ID)).isEqualTo("corr-b-1");
            assertThat(KafkaTopics.header(r, EventHeaders.CAUSATION_ID)).isEqualTo("cause-b-1");
            assertThat(KafkaTopics.header(r, EventHeaders.TRACEPARENT)).isEqualTo(OutboxFixture.TRACEPARENT);
            assertThat(EventCodec.released().decode(r.value(), BuildRequested.class).getBuildId()).isEqualTo("b-1");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> eventsOf("b-1").size() == 1);
        } finally {
            relay.stop();
        }
    }

    @Test
    void anEventOfARolledBackTransactionNeverArrives() throws Exception {
        outbox.prepare();
        OutboxRelay relay = new OutboxRelay(outbox.config, new SimpleMeterRegistry());
        relay.start();
        try (Connection c = outbox.connect()) {
            c.setAutoCommit(false);
            UUID rolledBack = outbox.emit(c, "b-1");
            c.rollback();
            // A later event of the same aggregate (same partition, later in the log): once it is there, the relay has
            // read past the rolled-back one.
            UUID marker = outbox.emit(c, "b-1");
            c.commit();

            await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf("b-1").isEmpty());
            assertThat(eventsOf("b-1")).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID))
                    .containsExactly(marker.toString()).doesNotContain(rolledBack.toString());
        } finally {
            relay.stop();
        }
    }

    @Test
    void aRelayStoppedAndStartedAgainPublishesNothingTwice() throws Exception {
        outbox.prepare();
        OutboxRelay relay = new OutboxRelay(outbox.config, new SimpleMeterRegistry());
        relay.start();
        try (Connection c = outbox.connect()) {
            c.setAutoCommit(false);
            outbox.emit(c, "b-1");
            c.commit();
            outbox.emit(c, "b-1"); // the last transaction before the stop holds two events
            outbox.emit(c, "b-1");
            c.commit();
            await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf("b-1").size() == 3);
            relay.stop();

            relay.start();
            UUID marker = outbox.emit(c, "b-1");
            c.commit();
            await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf("b-1").stream()
                    .anyMatch(r -> marker.toString().equals(KafkaTopics.header(r, EventHeaders.EVENT_ID))));
            assertThat(eventsOf("b-1")).as("each event once, the marker last").hasSize(4)
                    .extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID)).doesNotHaveDuplicates().last()
                    .isEqualTo(marker.toString());
        } finally {
            relay.stop();
        }
    }

    /**
     * A stop that comes while a batch waits for Kafka's acknowledgements lets the batch finish, so that its offset is
     * stored and nothing of it is published again after the restart. The stop comes when the relay's own count of
     * acknowledged events shows it in the middle of a burst of full batches.
     */
    @Test
    void aRelayStoppedWhileABatchIsInFlightFinishesTheBatchAndPublishesNothingTwice() throws Exception {
        outbox.prepare();
        Topics.ensure(outbox.infra.bootstrapServers(), 3, List.of(topic));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        OutboxRelay relay = new OutboxRelay(outbox.config, metrics);
        Counter published = metrics.counter("slipway.outbox.relay.published", "domain", outbox.domain);
        Map<String, Integer> seen = new HashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        Set<String> written = new java.util.HashSet<>();
        relay.start();
        try (Connection c = outbox.connect(); KafkaConsumer<String, byte[]> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> slotActivePid() != null);
            c.setAutoCommit(false);
            for (int i = 0; i < 10_000; i++) { // one transaction: Debezium's batches (2,048 at most) back to back
                written.add(outbox.emit(c, "b-" + (i % 16)).toString());
            }
            c.commit();
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().pollInterval(Duration.ofMillis(1))
                    .until(() -> published.count() >= 3000);
            relay.stop();
            assertThat(published.count()).as("stopped mid-stream").isLessThan(written.size());

            relay.start();
            written.add(outbox.emit(c, "b-marker").toString());
            c.commit();
            assertEachPublishedOnce(consumer, seen, duplicates, written, Duration.ofSeconds(60));
        } finally {
            relay.stop();
        }
    }

    /**
     * The relay runs in a JVM of its own and is killed (SIGKILL) while events stream through it, wherever it is: in a
     * transaction, committing one, or between a commit and its offset; a standby in this JVM takes over, as a second
     * pod would, and resumes from the last offset the dead one stored, skipping what the dead one published since.
     */
    @Test
    void killingTheRelayMidStreamLosesNothingAndPublishesNothingTwice() throws Exception {
        outbox.prepare();
        Topics.ensure(outbox.infra.bootstrapServers(), 3, List.of(topic));
        Map<String, String> fast = Map.of("slipway.relay.standby-retry", "200ms", "slipway.relay.restart-backoff", "200ms");
        Set<String> written = ConcurrentHashMap.newKeySet();
        Map<String, Integer> seen = new HashMap<>();
        AtomicInteger duplicates = new AtomicInteger();

        Process first = startRelayProcess(outbox.properties(fast));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        OutboxRelay standby = new OutboxRelay(outbox.configWith(fast), metrics);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> writeUntilStopped(writing, written), "outbox-writer");
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> slotActivePid() != null);
            standby.start();
            writer.start();

            // mid-stream: the first relay has published a good part of what is being written
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> poll(consumer, seen, duplicates) >= 1500);
            first.destroyForcibly().waitFor();
            int publishedBeforeKill = seen.size();

            await().atMost(Duration.ofSeconds(60)).until(standby::isLeader);
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> poll(consumer, seen, duplicates) >= publishedBeforeKill + 1500);
            writing.set(false);
            writer.join();

            assertEachPublishedOnce(consumer, seen, duplicates, written, Duration.ofSeconds(120));
            System.out.printf("relay killed after %d of %d events published; the standby skipped %.0f it read again%n",
                    publishedBeforeKill, written.size(), metrics.counter("slipway.outbox.relay.skipped", "domain", outbox.domain).count());
        } finally {
            writing.set(false);
            writer.join();
            first.destroyForcibly();
            standby.stop();
        }
    }

    /**
     * The crash exactly-once is about: the relay has published events and dies (SIGKILL) before it stores their
     * offset. The first relay, in a JVM of its own, stores no offset after its first batch (its flush interval is an
     * hour), so when it is killed every event it published after that is still ahead of the stored offset and of the
     * slot's confirmed position: the next relay reads them all again. Each must still be on the topic once.
     */
    @Test
    void aRelayKilledAfterPublishingAndBeforeStoringItsOffsetPublishesNothingTwice() throws Exception {
        outbox.prepare();
        Topics.ensure(outbox.infra.bootstrapServers(), 3, List.of(topic));
        Map<String, String> neverFlushes = Map.of("slipway.relay.offset-flush-interval", "1h");
        Set<String> written = new java.util.HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        long before;
        Process first = startRelayProcess(outbox.properties(neverFlushes));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        OutboxRelay second = new OutboxRelay(outbox.config, metrics);
        try (Connection c = outbox.connect(); KafkaConsumer<String, byte[]> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> slotActivePid() != null);
            // Debezium stores the offset of the first batch at once; from then on, not within the hour
            written.add(outbox.emit(c, "b-warm-up").toString());
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> poll(consumer, seen, duplicates) == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> storedOffsetLsn() != null);
            before = currentWalLsn(c);
            c.setAutoCommit(false);
            for (int tx = 0; tx < 100; tx++) { // 300 events in transactions of one to five
                for (int e = 0; e <= tx % 5 && written.size() < 301; e++) {
                    written.add(outbox.emit(c, "b-" + (tx % 16)).toString());
                }
                c.commit();
            }
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> poll(consumer, seen, duplicates) == written.size());
            first.destroyForcibly().waitFor();
            Long stored = storedOffsetLsn();
            assertThat(stored == null || stored <= before).as("the killed relay stored no offset past the first event (%s)", stored).isTrue();
            assertThat(confirmedFlushLsn(c)).as("nor confirmed a position past it to the slot").isLessThanOrEqualTo(before);

            second.start();
            written.add(outbox.emit(c, "b-marker").toString());
            c.commit();
            assertEachPublishedOnce(consumer, seen, duplicates, written, Duration.ofSeconds(60));
            assertThat(metrics.counter("slipway.outbox.relay.skipped", "domain", outbox.domain).count())
                    .as("events read again and skipped").isEqualTo(300);
        } finally {
            first.destroyForcibly();
            second.stop();
        }
    }

    /**
     * Kafka is killed (SIGKILL) while events stream through the relay and started again on the same port with the
     * same data, once the relay has given up on it (short producer timeouts: its run fails, the supervisor restarts
     * it, the new run fences the old producer once Kafka is back and reads how far the topic got): whatever the relay
     * was doing (a transaction open, a commit on its way), every event is on the topic once.
     */
    @Test
    void killingKafkaMidStreamAndStartingItAgainLosesNothingAndPublishesNothingTwice() throws Exception {
        outbox.prepare();
        Path kafkaDir = Files.createTempDirectory("relay-kafka-restart");
        int port = io.slipway.embedded.Processes.freePort();
        io.slipway.embedded.EmbeddedKafka kafka = io.slipway.embedded.EmbeddedKafka.start(kafkaDir, port);
        String bootstrap = kafka.bootstrapServers();
        Topics.ensure(bootstrap, 3, List.of(topic));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        OutboxRelay relay = new OutboxRelay(outbox.configWith(Map.of("slipway.kafka.bootstrap-servers", bootstrap,
                "slipway.relay.restart-backoff", "200ms", "slipway.relay.producer.\"max.block.ms\"", "3000",
                "slipway.relay.producer.\"request.timeout.ms\"", "2000", "slipway.relay.producer.\"delivery.timeout.ms\"", "5000")), metrics);
        Set<String> written = ConcurrentHashMap.newKeySet();
        Map<String, Integer> seen = new HashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> writeUntilStopped(writing, written), "outbox-writer");
        relay.start();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            await().atMost(Duration.ofSeconds(60)).until(relay::isLeader);
            writer.start();
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> poll(consumer, seen, duplicates) >= 1000);
            kafka.kill();
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.consecutiveFailures() >= 1);
            kafka = io.slipway.embedded.EmbeddedKafka.start(kafkaDir, port);
            int beforeRestart = seen.size();
            await().atMost(Duration.ofSeconds(120)).pollInSameThread().until(() -> poll(consumer, seen, duplicates) >= beforeRestart + 1000);
            writing.set(false);
            writer.join();

            assertEachPublishedOnce(consumer, seen, duplicates, written, Duration.ofSeconds(120));
            System.out.printf("Kafka killed after %d of %d events published; the relay failed (%s) and skipped %.0f it read again%n",
                    beforeRestart, written.size(), relay.lastError(), metrics.counter("slipway.outbox.relay.skipped", "domain", outbox.domain).count());
        } finally {
            writing.set(false);
            writer.join();
            relay.stop();
            kafka.close();
            deleteTree(kafkaDir);
        }
    }

    /**
     * A topic that holds records without a position (published before positions were, or by another writer) does
     * not stop a relay from starting: reading the tail stops at such a record, and the relay publishes what its slot
     * streams. A position header it cannot read counts as none.
     */
    @Test
    void recordsWithoutAPositionOnTheTopicDoNotStopTheRelay() throws Exception {
        outbox.prepare();
        Topics.ensure(outbox.infra.bootstrapServers(), 3, List.of(topic));
        List<String> legacy = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // keys spread over every partition
            String id = UUID.randomUUID().toString();
            legacy.add(id);
            KafkaTopics.produce(topic, "b-legacy-" + i, OutboxFixture.payload("b-legacy-" + i), i % 4 == 3
                    ? Map.of(EventHeaders.EVENT_ID, id, EventHeaders.EVENT_TYPE, "BuildRequested", EventHeaders.OUTBOX_POSITION, "not a position")
                    : Map.of(EventHeaders.EVENT_ID, id, EventHeaders.EVENT_TYPE, "BuildRequested"));
        }
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        OutboxRelay relay = new OutboxRelay(outbox.config, metrics);
        try (Connection c = outbox.connect()) {
            UUID first = outbox.emit(c, "b-1");
            relay.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> eventIds().contains(first.toString()));
            relay.stop(); // the next start finds its own record on one partition and records without a position on the others

            relay.start();
            UUID second = outbox.emit(c, "b-2");
            await().atMost(Duration.ofSeconds(60)).until(() -> eventIds().contains(second.toString()));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> eventIds().size() == legacy.size() + 2);
            assertThat(eventIds()).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.Stream.concat(legacy.stream(), java.util.stream.Stream.of(first.toString(), second.toString())).toList());
            assertThat(relay.consecutiveFailures()).isZero();
            assertThat(metrics.counter("slipway.outbox.relay.skipped", "domain", outbox.domain).count()).isZero();
        } finally {
            relay.stop();
        }
    }

    private List<String> eventIds() {
        return KafkaTopics.readAll(topic).stream().map(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID)).toList();
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // best effort: under the system temp dir
        }
    }

    /** Events in transactions of one to three events, as fast as one connection commits them. */
    private void writeUntilStopped(AtomicBoolean writing, Set<String> written) {
        try (Connection c = outbox.connect()) {
            c.setAutoCommit(false);
            for (int tx = 0; writing.get(); tx++) {
                List<String> ids = new ArrayList<>(3);
                for (int e = 0; e <= tx % 3; e++) {
                    ids.add(outbox.emit(c, "b-" + (tx % 16)).toString());
                }
                c.commit();
                written.addAll(ids);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads what is new; returns the number of distinct events seen so far. */
    /**
     * Reads on until every written event is there (within {@code within}), and for 2 s more: each must be there once,
     * and nothing else.
     */
    private static void assertEachPublishedOnce(KafkaConsumer<String, byte[]> consumer, Map<String, Integer> seen, AtomicInteger duplicates,
                                                Set<String> written, Duration within) {
        await().atMost(within).pollInSameThread().until(() -> {
            poll(consumer, seen, duplicates);
            return seen.keySet().containsAll(written);
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInSameThread()
                .until(() -> poll(consumer, seen, duplicates) == written.size());
        assertThat(seen.keySet()).as("no event lost, none invented").isEqualTo(written);
        assertThat(duplicates.get()).as("events published twice, of %d", written.size()).isZero();
    }

    private static int poll(KafkaConsumer<String, byte[]> consumer, Map<String, Integer> seen, AtomicInteger duplicates) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (seen.merge(KafkaTopics.header(r, EventHeaders.EVENT_ID), 1, Integer::sum) > 1) {
                duplicates.incrementAndGet();
            }
        }
        return seen.size();
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return consumer(outbox.infra.bootstrapServers());
    }

    /** Reads the topic from the beginning as Slipway's consumers do: what transactions committed. */
    private KafkaConsumer<String, byte[]> consumer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return c;
    }

    private static long currentWalLsn(Connection c) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery("select pg_current_wal_lsn() - '0/0'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long confirmedFlushLsn(Connection c) throws Exception {
        try (var q = c.prepareStatement("select confirmed_flush_lsn - '0/0' from pg_replication_slots where slot_name = ?")) {
            q.setString(1, outbox.config.slotName());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The LSN of the offset the relay stored for its slot, null if it stored none. */
    private Long storedOffsetLsn() throws Exception {
        try (Connection c = outbox.connect();
             var q = c.prepareStatement("select convert_from(offset_value, 'UTF8') from relay_offset where owner = ?")) {
            q.setString(1, outbox.config.slotName());
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return null;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"lsn\":(\\d+)").matcher(rs.getString(1));
                return m.find() ? Long.valueOf(m.group(1)) : null;
            }
        }
    }

    private Integer slotActivePid() throws Exception {
        try (Connection c = outbox.connect();
             var q = c.prepareStatement("select active_pid from pg_replication_slots where slot_name = ?")) {
            q.setString(1, outbox.config.slotName());
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? (Integer) rs.getObject(1) : null;
            }
        }
    }

    private Process startRelayProcess(Map<String, String> properties) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", classpath, RelayProcess.class.getName()));
        properties.forEach((k, v) -> cmd.add(k + "=" + v));
        Path log = Files.createDirectories(Path.of("target", "relay-process")).resolve(outbox.domain + ".log");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
