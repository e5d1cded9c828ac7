package io.slipway.testkit.chaos;

import io.slipway.testkit.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

    /**
     * How many committed records {@code partition} holds from offset {@code from} to its current end. A consumer that
     * read everything can stand below the end offset: a transaction's commit marker takes an offset of its own, and
     * what a consumer commits is the offset after its last record, not after the marker.
     */
    public static int recordsFrom(String bootstrapServers, TopicPartition partition, long from) {
        int[] records = {0};
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> one = List.of(partition);
            long end = consumer.endOffsets(one, TIMEOUT).get(partition);
            consumer.assign(one);
            consumer.seek(partition, from);
            drain(consumer, one, Map.of(partition, end), partition.topic(), r -> records[0]++);
        }
        return records[0];
    }

    /** Every committed record of {@code topic} up to its current end, in partition order; none if it does not exist. */
    public static void read(String bootstrapServers, String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrapServers)) {
            if (!consumer.listTopics(TIMEOUT).containsKey(topic)) {
                return;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, TIMEOUT).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            drain(consumer, partitions, ends, topic, each);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls the assigned partitions until each stands at its end in {@code ends}, handing on the records before it. */
    private static void drain(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> ends,
                              String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
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
