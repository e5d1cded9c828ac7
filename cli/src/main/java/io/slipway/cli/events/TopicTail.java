package io.slipway.cli.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.schemas.EventCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic's records straight from Kafka (all partitions, no consumer group, nothing committed) and renders each
 * with {@link RecordRenderer}. Needs no service: the schemas module decodes every released event.
 */
public final class TopicTail implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(500);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordRenderer renderer = new RecordRenderer(EventCodec.released());

    /** Opens the topic at its beginning or its end; fails with a clear message when it does not exist. */
    public TopicTail(String bootstrapServers, String topic, boolean fromBeginning) {
        this.topic = topic;
        Properties props = KafkaReaders.properties(bootstrapServers, "slipway-events-tail");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = partitions(bootstrapServers);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            partitions.forEach(consumer::position); // fix the start now, not at the first poll
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private List<TopicPartition> partitions(String bootstrapServers) {
        Map<String, List<PartitionInfo>> topics;
        try {
            topics = consumer.listTopics(Duration.ofSeconds(15));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 15 s", e);
        }
        List<PartitionInfo> infos = topics.get(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrapServers + "; topics there: "
                    + topics.keySet().stream().filter(t -> !t.startsWith("__")).sorted().toList());
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /**
     * Renders records as they arrive, handing each to {@code sink}, until {@code max} records were read ({@code <= 0}:
     * no limit), {@code sink} answers false, or {@code stop} says so. Returns the number of records read.
     */
    public long read(long max, Predicate<ObjectNode> sink, BooleanSupplier stop) {
        long count = 0;
        try {
            while (!stop.getAsBoolean()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    count++;
                    if (!sink.test(renderer.render(record)) || (max > 0 && count >= max)) {
                        return count;
                    }
                }
            }
        } catch (WakeupException e) {
            // close() from another thread (Ctrl-C)
        }
        return count;
    }

    /** Interrupts a {@link #read} in progress from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    public String topic() {
        return topic;
    }
}
