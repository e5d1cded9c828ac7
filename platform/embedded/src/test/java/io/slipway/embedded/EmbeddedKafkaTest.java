package io.slipway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @TempDir
    Path dir;

    @Test
    void recordsSurviveARestartAndKillLeavesNoProcess() throws Exception {
        String topic = "slipway-test";
        long firstPid;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            assertThat(kafka.isRunning()).isTrue();
            firstPid = kafka.pid();
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
            }
            assertThat(consumeAll(kafka, topic)).containsExactly("hello");
        }
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));

        EmbeddedKafka again = EmbeddedKafka.start(dir);
        try {
            assertThat(consumeAll(again, topic)).containsExactly("hello");
        } finally {
            long pid = again.pid();
            again.kill();
            assertThat(again.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
            again.close(); // no-op after kill
        }
    }

    @Test
    void aKilledBrokerStartsAgainOnItsPortsWithItsRecordsAndItsProducerCarriesOn() throws Exception {
        String topic = "kept-through-a-crash";
        EmbeddedKafka first = EmbeddedKafka.start(dir);
        EmbeddedKafka again = null;
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "before")).get();

            first.kill(); // SIGKILL: no controlled shutdown, the log directory's lock and its logs left as they were
            assertThat(first.onExit()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(137);
            again = EmbeddedKafka.start(dir, first.port(), first.controllerPort());

            assertThat(again.bootstrapServers()).isEqualTo(first.bootstrapServers());
            assertThat(again.controllerPort()).isEqualTo(first.controllerPort());
            assertThat(again.pid()).isNotEqualTo(first.pid());
            // the same producer, still pointed at the first broker's address, reaches the second one
            producer.send(new ProducerRecord<>(topic, "k", "after")).get(60, TimeUnit.SECONDS);
            assertThat(consume(again, topic, 2)).containsExactly("before", "after");
        } finally {
            if (again != null) {
                again.close();
            }
        }
    }

    @Test
    void aClusterIdStartingWithADashFormatsAndStarts() throws Exception {
        byte[] uuid = new byte[16];
        new java.security.SecureRandom().nextBytes(uuid);
        uuid[0] = (byte) (0xF8 | (uuid[0] & 0x03)); // base64url's first character is then '-'
        String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(uuid);
        assertThat(id).startsWith("-");
        java.nio.file.Files.writeString(dir.resolve("cluster.id"), id + "\n");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            assertThat(kafka.isRunning()).isTrue();
        }
    }

    private static List<String> consumeAll(EmbeddedKafka kafka, String topic) {
        return consume(kafka, topic, 1);
    }

    /** The values of the topic from its beginning, once there are at least {@code atLeast}. */
    private static List<String> consume(EmbeddedKafka kafka, String topic, int atLeast) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
                return values.size() >= atLeast;
            });
        }
        return values;
    }
}
