package io.slipway.testkit.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import io.slipway.testkit.KafkaTopics;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics as every Slipway consumer does (read_committed: an aborted transaction's records are not there) from
 * their beginning to the end they have now, and counts each {@code eventId} header: an id seen twice is an event
 * published twice.
 */
public final class TopicAudit {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What one topic holds: how many records, and the ids that appear more than once (with their counts). */
    public record Result(String topic, int records, Map<String, Integer> duplicateIds) {
    }

    private TopicAudit() {
    }

    public static Result audit(String bootstrapServers, String topic) {
        Map<String, Integer> counts = new HashMap<>();
        int[] records = {0};
        read(bootstrapServers, topic, r -> {
            records[0]++;
            String id = KafkaTopics.header(r, "eventId");
            if (id != null) {
                counts.merge(id, 1, Integer::sum);
            }
        });
        Map<String, Integer> duplicates = new HashMap<>();
        counts.forEach((id, n) -> {
            if (n > 1) {
                duplicates.put(id, n);
            }
        });
        return new Result(topic, records[0], duplicates);
    }

    /** Every committed record of {@code topic} up to its current end, in partition order; none if it does not exist. */
    public static void read(String bootstrapServers, String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            if (!consumer.listTopics(TIMEOUT).containsKey(topic)) {
                return;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, TIMEOUT).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < ends.get(new TopicPartition(topic, r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }
}
