package io.slipway.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.Slipway;
import io.slipway.embedded.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway replay} and {@code slipway dlq} on a real broker: a group's position moves back (or, when asked, forward)
 * only while none of its consumers runs, the dry run counts what would be read again, and dead letters go back to the
 * topic they came from with their envelope, a command with the retrying operator's token.
 */
class ReplayCommandsTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static Admin admin;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final PrintStream originalOut = System.out;
    String topic;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        kafka.close();
    }

    @BeforeEach
    void captureOut() throws Exception {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        topic = "slipway.test" + UUID.randomUUID().toString().substring(0, 8) + ".events";
        create(topic, 3);
    }

    @AfterEach
    void restoreOut() {
        System.setOut(originalOut);
    }

    @Test
    void aDryRunCountsPerPartitionAndMovesNothingThenTheGroupReadsExactlyThoseRecordsAgain() throws Exception {
        Map<Integer, Integer> sent = produce(topic, 30);
        assertThat(consumeAll("deploy-svc.builds", topic)).hasSize(30);
        Map<TopicPartition, Long> before = committed("deploy-svc.builds");

        assertThat(slipway("replay", topic, "--group", "deploy-svc.builds", "--from", "earliest", "--dry-run")).as(err.toString()).isZero();
        String plan = out.toString();
        for (int p = 0; p < 3; p++) {
            assertThat(plan).containsPattern("(?m)^" + p + "\\s+" + sent.get(p) + "\\s+0\\s+" + sent.get(p) + "\\s+again " + sent.get(p) + "$");
        }
        assertThat(plan).contains("read again: 30 record(s)").contains("dry run: nothing moved");
        assertThat(committed("deploy-svc.builds")).isEqualTo(before);

        assertThat(slipway("replay", topic, "--group", "deploy-svc.builds", "--from", "earliest")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("its consumers read 30 record(s) again");
        assertThat(committed("deploy-svc.builds").values()).containsOnly(0L);
        List<ConsumerRecord<String, String>> again = consumeAll("deploy-svc.builds", topic);
        assertThat(again).hasSize(30);
        assertThat(again.stream().map(ConsumerRecord::value).collect(Collectors.toSet())).hasSize(30);
    }

    @Test
    void fromATimeTheGroupReadsWhatWasWrittenSinceAndNothingEarlier() throws Exception {
        produce(topic, 12);
        // the broker's timestamps, not this machine's clock: the time is that of the first record of the second batch
        produce(topic, 1);
        List<ConsumerRecord<String, String>> all = consumeAll("event-svc.audit", topic);
        long since = all.stream().filter(r -> r.value().endsWith("-0") && all.indexOf(r) >= 0).mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
        produce(topic, 5);
        consumeAll("event-svc.audit", topic);
        long expected = readEverything(topic).stream().filter(r -> r.timestamp() >= since).count();

        assertThat(slipway("replay", topic, "--group", "event-svc.audit", "--from", java.time.Instant.ofEpochMilli(since).toString()))
                .as(err.toString()).isZero();
        assertThat(consumeAll("event-svc.audit", topic)).hasSize((int) expected)
                .allSatisfy(r -> assertThat(r.timestamp()).isGreaterThanOrEqualTo(since));
        assertThat(expected).isBetween(6L, 18L);
    }

    @Test
    void aGroupWithARunningMemberIsNotMovedAndTheMessageNamesTheMember() throws Exception {
        produce(topic, 6);
        assertThat(consumeAll("build-svc.requests", topic)).hasSize(6);
        Map<TopicPartition, Long> before = committed("build-svc.requests");
        try (KafkaConsumer<String, String> running = consumer("build-svc.requests", "build-svc-0")) {
            running.subscribe(List.of(topic));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                running.poll(Duration.ofMillis(200));
                return !running.assignment().isEmpty();
            });
            assertThat(slipway("replay", topic, "--group", "build-svc.requests", "--from", "earliest")).isEqualTo(1);
            assertThat(err.toString()).contains("build-svc.requests has 1 running member(s)").contains("build-svc-0")
                    .contains("stop the service");
        }
        assertThat(committed("build-svc.requests")).isEqualTo(before);
    }

    @Test
    void aMoveForwardSkipsRecordsOnlyWhenAskedAndAnUnknownGroupNamesTheGroupsThatReadTheTopic() throws Exception {
        produce(topic, 9);
        assertThat(consumeAll("infra-svc.pools", topic)).hasSize(9);
        assertThat(slipway("replay", topic, "--group", "infra-svc.pools", "--from", "earliest")).isZero();
        // back at 0: moving to the end skips all nine
        assertThat(slipway("replay", topic, "--group", "infra-svc.pools", "--from", "latest")).isEqualTo(1);
        assertThat(err.toString()).contains("skips 9 record(s)").contains("--allow-skipping");
        assertThat(committed("infra-svc.pools").values()).containsOnly(0L);
        assertThat(slipway("replay", topic, "--group", "infra-svc.pools", "--from", "latest", "--allow-skipping")).as(err.toString()).isZero();
        assertThat(committed("infra-svc.pools").values().stream().mapToLong(Long::longValue).sum()).isEqualTo(9);

        assertThat(slipway("replay", topic, "--group", "infra-svc.poools", "--from", "earliest")).isEqualTo(1);
        assertThat(err.toString()).contains("infra-svc.poools has never committed a position on " + topic)
                .contains("groups with a position there: infra-svc.pools");
        assertThat(slipway("replay", topic, "--group", "infra-svc.pools", "--from", "yesterday")).isEqualTo(1);
        assertThat(err.toString()).contains("--from 'yesterday' is none of");
        assertThat(slipway("replay", topic, "--group", "infra-svc.pools", "--from", "3")).isEqualTo(1);
        assertThat(err.toString()).contains("add --partition");
    }

    @Test
    void deadLettersGoBackToTheirTopicWithTheirEnvelopeAndACommandCarriesTheOperatorsToken() throws Exception {
        String requests = "slipway.t" + UUID.randomUUID().toString().substring(0, 8) + ".requests";
        create(requests, 2);
        create(requests + ".dlq", 1);
        deadLetter(requests + ".dlq", requests, "build-svc.requests", "k1", "v1", "ev-1", "unauthenticated: token expired");
        deadLetter(requests + ".dlq", requests, "build-svc.requests", "k2", "v2", "ev-2", "database refused: relation missing");

        assertThat(slipway("dlq", "ls")).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern(java.util.regex.Pattern.quote(requests + ".dlq") + "\\s+2\\s+\\S+\\s+build-svc.requests 2");
        assertThat(slipway("dlq", "show", requests + ".dlq", "--record", "0@1")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"dead-letter-reason\":\"database refused: relation missing\"").doesNotContain("token expired");

        assertThat(slipway("dlq", "retry", requests + ".dlq", "--all", "--dry-run")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("2 record(s) would be sent back");
        assertThat(readEverything(requests)).isEmpty();

        assertThat(slipway("dlq", "retry", requests + ".dlq", "--all")).isEqualTo(1);
        assertThat(err.toString()).contains("needs a bearer token").contains("nothing was sent");
        assertThat(readEverything(requests)).isEmpty();

        assertThat(slipway("dlq", "retry", requests + ".dlq", "--record", "0@1", "--token", "operator-jwt")).as(err.toString()).isZero();
        List<ConsumerRecord<String, String>> back = readEverything(requests);
        assertThat(back).hasSize(1);
        ConsumerRecord<String, String> r = back.getFirst();
        assertThat(r.key()).isEqualTo("k2");
        assertThat(r.value()).isEqualTo("v2");
        assertThat(header(r, "eventId")).isEqualTo("ev-2");
        assertThat(header(r, "authorization")).isEqualTo("Bearer operator-jwt");
        assertThat(header(r, DeadLetterQueue.RETRIED_FROM)).isEqualTo(requests + ".dlq/0@1");
        assertThat(header(r, DeadLetterQueue.REASON)).isNull();
        assertThat(header(r, DeadLetterQueue.TOPIC)).isNull();
    }

    @Test
    void aSinksDeadLettersAreNotSentBackOntoTheTopicEverySinkReads() throws Exception {
        String kube = "slipway.k" + UUID.randomUUID().toString().substring(0, 8) + ".events";
        create(kube, 1);
        create(kube + ".webhook.dlq", 1);
        deadLetter(kube + ".webhook.dlq", kube, "slipway-sink-webhook", "pod-1", "v", "ev-9", "HTTP 500 from the receiver");
        assertThat(slipway("dlq", "retry", kube + ".webhook.dlq", "--all")).isEqualTo(1);
        assertThat(err.toString()).contains("failed in slipway-sink-webhook only").contains("nothing was sent")
                .contains("/api/v1/sinks/<name>/replay");
        assertThat(readEverything(kube)).isEmpty();
        assertThat(slipway("dlq", "retry", kube + ".webhook.dlq", "--record", "0@7")).isEqualTo(1);
        assertThat(err.toString()).contains("holds no record 0@7");
    }

    private int slipway(String... args) {
        out.reset();
        err.reset();
        var cli = Slipway.commandLine();
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers()));
        return cli.execute(all.toArray(String[]::new));
    }

    private static void create(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }

    /** Sends {@code n} records with distinct keys; answers how many landed in each partition. */
    private static Map<Integer, Integer> produce(String topic, int n) throws Exception {
        Map<Integer, Integer> perPartition = new HashMap<>();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < n; i++) {
                var m = producer.send(new ProducerRecord<>(topic, "key-" + UUID.randomUUID(), UUID.randomUUID() + "-" + i)).get();
                perPartition.merge(m.partition(), 1, Integer::sum);
            }
        }
        return perPartition;
    }

    private static void deadLetter(String dlq, String origin, String group, String key, String value, String eventId, String reason)
            throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            ProducerRecord<String, String> r = new ProducerRecord<>(dlq, key, value);
            r.headers().add("eventId", eventId.getBytes(StandardCharsets.UTF_8));
            r.headers().add("eventType", "RequestBuild".getBytes(StandardCharsets.UTF_8));
            r.headers().add(DeadLetterQueue.REASON, reason.getBytes(StandardCharsets.UTF_8));
            r.headers().add(DeadLetterQueue.TOPIC, origin.getBytes(StandardCharsets.UTF_8));
            r.headers().add(DeadLetterQueue.PARTITION, "0".getBytes(StandardCharsets.UTF_8));
            r.headers().add(DeadLetterQueue.OFFSET, "41".getBytes(StandardCharsets.UTF_8));
            r.headers().add(DeadLetterQueue.GROUP, group.getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String group, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** A member of {@code group} reads until it is at the end of every partition, commits, and leaves the group. */
    private static List<ConsumerRecord<String, String>> consumeAll(String group, String topic) throws Exception {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        Map<TopicPartition, Long> ends = endOffsets(topic);
        try (KafkaConsumer<String, String> c = consumer(group, group + "-test")) {
            c.subscribe(List.of(topic));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(read::add);
                return c.assignment().size() == ends.size() && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
            });
            c.commitSync();
        }
        return read;
    }

    private static List<ConsumerRecord<String, String>> readEverything(String topic) throws Exception {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        Map<TopicPartition, Long> ends = endOffsets(topic);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.assign(ends.keySet());
            c.seekToBeginning(ends.keySet());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(read::add);
                return ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
            });
        }
        return read;
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        var d = admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get();
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> spec = new HashMap<>();
        d.partitions().forEach(p -> spec.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(spec).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return c.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
