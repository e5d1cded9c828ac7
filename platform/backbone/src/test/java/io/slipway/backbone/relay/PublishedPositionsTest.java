package io.slipway.backbone.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.Topics;
import io.slipway.testkit.Infra;
import io.slipway.testkit.SlipwayInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Reading how far a stream is published from the tails of a topic's partitions, against the test JVM's Kafka: records
 * of aborted transactions, transaction markers and another slot's records are read past; a record without a position
 * or of the same slot in another PostgreSQL cluster ends the search.
 */
class PublishedPositionsTest {
    static final String STREAM = OutboxPosition.stream("slipway_test_outbox", "7300000000000000001");
    final Infra infra = SlipwayInfra.get();
    final String prefix = "positions-" + Long.toHexString(System.nanoTime());

    @Test
    void aTopicThatDoesNotExistHoldsNothingOfTheStream() {
        try (PublishedPositions positions = positions()) {
            assertThat(positions.published(prefix + ".missing")).isNull();
            assertThat(positions.covers(prefix + ".missing", position(1, 1))).isFalse();
        }
    }

    @Test
    void theSearchReadsBackPastAbortedTransactionsAndAnotherSlotsRecords() {
        String topic = topic("aborted", 1);
        try (KafkaProducer<String, byte[]> tx = transactional(); KafkaProducer<String, byte[]> plain = plain()) {
            tx.beginTransaction();
            tx.send(record(topic, 0, STREAM, position(0x100, 0x180)));
            tx.commitTransaction();
            for (int t = 0; t < 5; t++) { // 5 aborted transactions of 20 records above it, each with its abort marker
                tx.beginTransaction();
                for (int i = 0; i < 20; i++) {
                    tx.send(record(topic, 0, STREAM, position(0x200 + t, 0x300 + i)));
                }
                tx.flush();
                tx.abortTransaction();
            }
            String otherSlot = OutboxPosition.stream("slipway_other_outbox", "7300000000000000001");
            for (int i = 0; i < 40; i++) {
                plain.send(record(topic, 0, otherSlot, position(0x900, 0x900 + i)));
            }
            plain.flush();
        }
        try (PublishedPositions positions = positions()) {
            assertThat(positions.published(topic)).isEqualTo(position(0x100, 0x180));
            assertThat(positions.covers(topic, position(0x100, 0x180))).isTrue();
            assertThat(positions.covers(topic, position(0x100, 0x181))).isFalse();
            positions.advance(topic, position(0x400, 0x410));
            assertThat(positions.covers(topic, position(0x400, 0x400))).as("what the run commits counts too").isTrue();
        }
    }

    @Test
    void aRecordWithoutAPositionOrOfTheSlotInAnotherClusterEndsTheSearch() {
        String legacy = topic("legacy", 1);
        String moved = topic("moved", 1);
        try (KafkaProducer<String, byte[]> plain = plain()) {
            plain.send(record(legacy, 0, STREAM, position(0x100, 0x180)));
            plain.send(new ProducerRecord<>(legacy, 0, "k", new byte[] {1}));
            plain.send(record(moved, 0, STREAM, position(0x100, 0x180)));
            plain.send(record(moved, 0, OutboxPosition.stream("slipway_test_outbox", "7399999999999999999"), position(0x10, 0x10)));
            plain.flush();
        }
        try (PublishedPositions positions = positions()) {
            assertThat(positions.published(legacy)).isNull();
            assertThat(positions.published(moved)).isNull();
        }
    }

    @Test
    void theStreamIsPublishedUpToTheHighestPositionOfAnyPartition() {
        String topic = topic("partitions", 3);
        try (KafkaProducer<String, byte[]> plain = plain()) {
            plain.send(record(topic, 0, STREAM, position(0x100, 0x110)));
            plain.send(record(topic, 1, STREAM, position(0x100, 0x120)));
            plain.send(record(topic, 1, STREAM, position(0x300, 0x2F0))); // began before the commit it follows
            plain.send(record(topic, 2, STREAM, position(0x200, 0x210)));
            plain.flush();
        }
        try (PublishedPositions positions = positions()) {
            assertThat(positions.published(topic)).isEqualTo(position(0x300, 0x2F0));
        }
    }

    private PublishedPositions positions() {
        return new PublishedPositions(infra.bootstrapServers(), "positions-test", STREAM, Duration.ofSeconds(30));
    }

    private String topic(String name, int partitions) {
        String topic = prefix + "." + name;
        Topics.ensure(infra.bootstrapServers(), partitions, List.of(topic));
        return topic;
    }

    private static OutboxPosition position(long lastCommitLsn, long lsn) {
        return new OutboxPosition(lastCommitLsn, lsn);
    }

    private static ProducerRecord<String, byte[]> record(String topic, int partition, String stream, OutboxPosition position) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, partition, "k", "v".getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        r.headers().add(OutboxPosition.HEADER, position.header(stream));
        return r;
    }

    private KafkaProducer<String, byte[]> plain() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        return new KafkaProducer<>(p, new org.apache.kafka.common.serialization.StringSerializer(), new ByteArraySerializer());
    }

    private KafkaProducer<String, byte[]> transactional() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "-tx");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new org.apache.kafka.common.serialization.StringSerializer(),
                new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }
}
