package io.slipway.event.ingest;

import io.slipway.backbone.EventHeaders;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.schemas.EventDecodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * After a crash, what a cluster published after its last stored checkpoint: the ids of its occurrences in the topic
 * beyond the stored positions. Kafka acknowledged them (or took them without the acknowledgement arriving) but their
 * ids never reached the database; knowing them, the resumed watch does not publish them again.
 */
final class PublishedTail {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** What the tail holds for the cluster, and where each partition ended when it was read. */
    record Tail(Set<UUID> published, Map<Integer, Long> endOffsets) {
    }

    private PublishedTail() {
    }

    /**
     * Reads each partition from its stored position (from its beginning if none is stored but others are: a
     * partition added since) to its current end. With no stored position at all the cluster never published here.
     */
    static Tail read(String bootstrapServers, String topic, String cluster, Map<Integer, Long> positions) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        EventCodec codec = EventCodec.released();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions, READ_TIMEOUT).forEach((tp, end) -> ends.put(tp.partition(), end));
            Set<UUID> published = new HashSet<>();
            if (positions.isEmpty()) {
                return new Tail(published, ends);
            }
            Map<Integer, Long> begins = new HashMap<>();
            consumer.beginningOffsets(partitions, READ_TIMEOUT).forEach((tp, begin) -> begins.put(tp.partition(), begin));
            List<TopicPartition> behind = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                long from = Math.max(positions.getOrDefault(tp.partition(), begins.get(tp.partition())), begins.get(tp.partition()));
                if (from < ends.get(tp.partition())) {
                    behind.add(tp);
                }
            }
            if (behind.isEmpty()) {
                return new Tail(published, ends);
            }
            consumer.assign(behind);
            for (TopicPartition tp : behind) {
                consumer.seek(tp, Math.max(positions.getOrDefault(tp.partition(), begins.get(tp.partition())), begins.get(tp.partition())));
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (behind.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp.partition()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the tail of " + topic + " within " + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= ends.get(r.partition())) {
                        continue;
                    }
                    String id = EventHeaders.get(r.headers(), EventHeaders.EVENT_ID);
                    if (id != null && cluster.equals(clusterOf(codec, r.value()))) {
                        published.add(UUID.fromString(id));
                    }
                }
            }
            return new Tail(published, ends);
        }
    }

    private static String clusterOf(EventCodec codec, byte[] value) {
        try {
            return codec.decode(value, KubeEvent.class).getCluster();
        } catch (EventDecodingException e) {
            return null; // not a KubeEvent this ingest wrote; nothing to recognise
        }
    }
}
