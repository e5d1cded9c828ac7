package io.slipway.cli.replay;

import io.slipway.cli.UserError;
import io.slipway.cli.events.KafkaReaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter topics ({@code <topic>.dlq}) as an operator sees them: what they hold, and sending a record back to the
 * topic it came from once its cause is fixed. The header names are the contract the backbone's {@code DeadLetters}
 * writes (docs/events.md).
 */
public final class DeadLetterQueue implements AutoCloseable {
    public static final String SUFFIX = ".dlq";
    public static final String REASON = "dead-letter-reason";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";
    public static final String GROUP = "dead-letter-consumer-group";
    /** On a record sent back: which dead letter it was, so that the topic says where a second delivery came from. */
    public static final String RETRIED_FROM = "dead-letter-retried-from";
    public static final String AUTHORIZATION = "authorization";
    static final String EVENT_ID = "eventId";
    static final String EVENT_TYPE = "eventType";
    private static final Set<String> DEAD_LETTER_HEADERS = Set.of(REASON, TOPIC, PARTITION, OFFSET, GROUP, RETRIED_FROM);
    private static final Duration POLL = Duration.ofMillis(500);

    /** Where a record was sent back to. */
    public record Retried(ConsumerRecord<byte[], byte[]> deadLetter, String topic, int partition, long offset) {
    }

    private final String bootstrapServers;
    private final KafkaConsumer<byte[], byte[]> consumer;

    public DeadLetterQueue(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties p = KafkaReaders.properties(bootstrapServers, "slipway-dlq");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every dead-letter topic, by name. */
    public List<String> topics() {
        return listTopics().keySet().stream().filter(t -> t.endsWith(SUFFIX)).sorted().toList();
    }

    /** Every record {@code dlq} holds now, oldest first per partition, partitions in order. */
    public List<ConsumerRecord<byte[], byte[]>> read(String dlq) {
        List<PartitionInfo> infos = listTopics().get(dlq);
        if (!dlq.endsWith(SUFFIX)) {
            throw new UserError(dlq + " is not a dead-letter topic (their names end in " + SUFFIX + "); slipway dlq ls lists them");
        }
        if (infos == null) {
            throw new UserError("dead-letter topic " + dlq + " does not exist on " + bootstrapServers + "; there: " + topics());
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(dlq, i.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        List<ConsumerRecord<byte[], byte[]>> held = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + dlq + " took over 60 s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    held.add(r);
                }
            }
        }
        held.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        return held;
    }

    /**
     * Sends {@code records} of {@code dlq} back to the topic each came from: key, value and envelope as they were, the
     * dead-letter headers replaced by {@link #RETRIED_FROM}. A command ({@code slipway.*.requests}) carries
     * {@code bearer}, the retrying operator's token, since a DLQ never keeps the original one. Refused for a sink's DLQ,
     * whose records went wrong in one sink only: sending them back onto the shared topic would deliver them to every sink.
     */
    public List<Retried> retry(String dlq, List<ConsumerRecord<byte[], byte[]>> records, String bearer) {
        // every record is checked before the first is sent, so that a refusal leaves nothing half done
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (isCommandTopic(origin(dlq, r)) && bearer == null) {
                throw new UserError(where(r) + " is a command for " + origin(dlq, r) + ", which needs a bearer token (a DLQ never"
                        + " keeps the original one): pass --token or set SLIPWAY_TOKEN; nothing was sent");
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "slipway-dlq-retry");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        List<Retried> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String origin = origin(dlq, r);
                ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(origin, null, r.key(), r.value());
                for (Header h : r.headers()) {
                    if (!DEAD_LETTER_HEADERS.contains(h.key()) && !h.key().equals(AUTHORIZATION)) {
                        out.headers().add(h);
                    }
                }
                out.headers().add(RETRIED_FROM, utf8(where(r)));
                if (isCommandTopic(origin)) {
                    out.headers().add(AUTHORIZATION, utf8("Bearer " + bearer));
                }
                RecordMetadata m = await(producer.send(out), where(r));
                sent.add(new Retried(r, m.topic(), m.partition(), m.offset()));
            }
        }
        return sent;
    }

    /** The topic a dead letter came from; fails for a record without it, or a sink's DLQ. */
    static String origin(String dlq, ConsumerRecord<byte[], byte[]> r) {
        String origin = header(r, TOPIC);
        if (origin == null) {
            throw new UserError(where(r) + " has no " + TOPIC + " header, so where it came from is unknown; nothing was sent");
        }
        if (!(origin + SUFFIX).equals(dlq)) {
            String group = header(r, GROUP);
            throw new UserError(where(r) + " failed in " + (group == null ? "one consumer group" : group) + " only (" + dlq
                    + " is that consumer's own DLQ): sent back onto " + origin + " it would reach every other consumer of that"
                    + " topic again; nothing was sent. For a sink of event-svc, re-drive that sink: POST /api/v1/sinks/<name>/replay");
        }
        return origin;
    }

    static boolean isCommandTopic(String topic) {
        return topic.startsWith("slipway.") && topic.endsWith(".requests");
    }

    public static String where(ConsumerRecord<?, ?> r) {
        return r.topic() + "/" + r.partition() + "@" + r.offset();
    }

    public static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Counts per value of {@code header} ("(none)" when absent), most frequent first. */
    public static Map<String, Long> countBy(List<ConsumerRecord<byte[], byte[]>> records, String header) {
        return records.stream().collect(Collectors.groupingBy(r -> {
            String v = header(r, header);
            return v == null ? "(none)" : v;
        }, java.util.TreeMap::new, Collectors.counting()));
    }

    private Map<String, List<PartitionInfo>> listTopics() {
        try {
            return consumer.listTopics(Duration.ofSeconds(15));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 15 s", e);
        }
    }

    private static RecordMetadata await(java.util.concurrent.Future<RecordMetadata> f, String what) {
        try {
            return f.get(40, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending " + what + " back failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what + " back", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not take " + what + " within 40 s", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
