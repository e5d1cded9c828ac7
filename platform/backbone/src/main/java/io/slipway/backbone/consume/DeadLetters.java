package io.slipway.backbone.consume;

import io.micrometer.core.instrument.MeterRegistry;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventHeaders;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends records a consumer gave up on to {@code <topic>.dlq} (or a topic of the caller's, such as one sink's own DLQ),
 * unchanged but for a command's bearer token, with why and where they came from in headers.
 */
@ApplicationScoped
public class DeadLetters implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final MeterRegistry metrics;

    @jakarta.inject.Inject
    DeadLetters(BackboneConfig config, MeterRegistry metrics) {
        this(config.kafka().bootstrapServers(), "slipway-dlq-" + config.domain(), metrics);
    }

    public DeadLetters(String bootstrapServers, String clientId, MeterRegistry metrics) {
        this.metrics = metrics;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Sends {@code record} to {@code deadLetterTopic} (a sink's own DLQ, say) and blocks until it is stored, so the
     * caller may commit the original record's offset afterwards.
     */
    public void send(String deadLetterTopic, String group, ConsumerRecord<String, byte[]> record, String reason) {
        try {
            sendAsync(deadLetterTopic, group, record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                    record.headers(), reason).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering " + where(record) + " to " + deadLetterTopic);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the dead letter of " + where(record) + " within 60 s", e);
        }
    }

    /**
     * Sends a record of {@code topic}/{@code partition}@{@code offset} to {@code deadLetterTopic}, unchanged, with
     * why and where from in headers; completes once Kafka stored it, so the caller may commit the original afterwards.
     */
    public CompletionStage<Void> sendAsync(String deadLetterTopic, String group, String topic, int partition, long offset, String key,
                                           byte[] value, Iterable<Header> headers, String reason) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(deadLetterTopic, null, key, value, headers);
        // a command's bearer token stays on its own topic: a DLQ is read by more people and kept longer
        out.headers().remove(EventHeaders.AUTHORIZATION);
        out.headers().add(EventHeaders.DLQ_REASON, utf8(reason));
        out.headers().add(EventHeaders.DLQ_TOPIC, utf8(topic));
        out.headers().add(EventHeaders.DLQ_PARTITION, utf8(String.valueOf(partition)));
        out.headers().add(EventHeaders.DLQ_OFFSET, utf8(String.valueOf(offset)));
        out.headers().add(EventHeaders.DLQ_CONSUMER_GROUP, utf8(group));
        CompletableFuture<Void> stored = new CompletableFuture<>();
        String where = topic + "/" + partition + "@" + offset;
        producer.send(out, (metadata, e) -> {
            if (e != null) {
                stored.completeExceptionally(new IllegalStateException("cannot dead-letter " + where + " to " + deadLetterTopic + ": "
                        + e.getMessage(), e));
            } else {
                metrics.counter("slipway.dlq.records", "group", group, "topic", topic).increment();
                stored.complete(null);
            }
        });
        return stored;
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition() + "@" + record.offset();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @PreDestroy
    @Override
    public void close() {
        producer.close();
    }
}
