package io.slipway.backbone.relay;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * How far one run of the relay's stream is published on each topic it writes: the highest {@link OutboxPosition} of
 * the stream among the committed records of the topic, read from the tail of each partition the first time the run
 * meets the topic and advanced as the run commits its own transactions. A record at or below it is on the topic
 * already (see DESIGN.md, "Exactly once on the topic").
 *
 * <p>Why the tail is enough: the relay publishes in stream order, one Kafka transaction per batch, each committed
 * before the next begins, and skips only what is below the mark. So what the stream has on a topic is a prefix of the
 * stream, and the last record of the stream on a partition holds the highest position of that partition. Reading a
 * partition backwards from its last stable offset ({@code read_committed}: aborted records and transaction markers
 * are not there, so the window widens over them) ends at the first record of the stream, or at a record with no
 * position (written before positions were, or by another writer: nothing of the stream is older than it), or at a
 * record of an earlier stream of the same slot (another PostgreSQL cluster).
 */
final class PublishedPositions implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PublishedPositions.class);

    /** Records read from a partition's end at first; the window doubles while it holds nothing of the stream. */
    static final int FIRST_WINDOW = 32;

    private final String stream;
    private final Duration timeout;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, OutboxPosition> published = new HashMap<>();

    PublishedPositions(String bootstrapServers, String clientId, String stream, Duration timeout) {
        this.stream = stream;
        this.timeout = timeout;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Whether the record at {@code position} is on {@code topic} already; reads the topic's tail on first use. */
    boolean covers(String topic, OutboxPosition position) {
        OutboxPosition mark = published(topic);
        return mark != null && position.compareTo(mark) <= 0;
    }

    /** The highest position of the stream on {@code topic}, null if it has none. */
    OutboxPosition published(String topic) {
        if (!published.containsKey(topic)) {
            OutboxPosition tail = readTail(topic);
            published.put(topic, tail);
            LOG.debugf("stream %s is published on %s up to %s", stream, topic, tail == null ? "nothing" : tail);
        }
        return published.get(topic);
    }

    /** What the run itself committed: {@code position} is now on {@code topic}. */
    void advance(String topic, OutboxPosition position) {
        published.merge(topic, position, OutboxPosition::max);
    }

    private OutboxPosition readTail(String topic) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            return null; // no such topic (yet): nothing published
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout); // last stable offsets (read_committed)
        OutboxPosition max = null;
        for (TopicPartition tp : partitions) {
            max = OutboxPosition.max(max, readTail(tp, begins.get(tp), ends.get(tp), deadline));
        }
        return max;
    }

    /** The highest position of the stream in [begin, end) of one partition, reading backwards in widening windows. */
    private OutboxPosition readTail(TopicPartition tp, long begin, long end, long deadline) {
        consumer.assign(List.of(tp));
        long windowEnd = end;
        int window = FIRST_WINDOW;
        while (windowEnd > begin) {
            long windowStart = Math.max(begin, windowEnd - window);
            List<ConsumerRecord<byte[], byte[]>> records = read(tp, windowStart, windowEnd, deadline);
            for (int i = records.size() - 1; i >= 0; i--) {
                Header h = records.get(i).headers().lastHeader(OutboxPosition.HEADER);
                OutboxPosition.Stamp stamp = h == null ? null : OutboxPosition.parse(h.value());
                if (stamp == null) {
                    return null; // older than positions, or another writer's: nothing of the stream before it
                }
                if (stamp.stream().equals(stream)) {
                    return stamp.position();
                }
                if (OutboxPosition.slotOf(stamp.stream()).equals(OutboxPosition.slotOf(stream))) {
                    return null; // the slot's records from another PostgreSQL cluster: the stream starts after them
                }
                // another slot's (an outbox row routed to this topic by another service's relay): look further back
            }
            windowEnd = windowStart;
            window = (int) Math.min(Integer.MAX_VALUE / 2, window * 2L);
        }
        return null;
    }

    /** The committed records in [from, to) of the partition (fewer offsets: aborted records and markers). */
    private List<ConsumerRecord<byte[], byte[]>> read(TopicPartition tp, long from, long to, long deadline) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        consumer.seek(tp, from);
        while (consumer.position(tp) < to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the tail of " + tp + " within " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100)).records(tp)) {
                if (r.offset() < to) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
