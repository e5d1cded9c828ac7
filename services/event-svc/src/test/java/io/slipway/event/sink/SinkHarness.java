package io.slipway.event.sink;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.EventHeaders;
import io.slipway.event.route.Receiver;
import io.slipway.event.route.RouteConfig;
import io.slipway.event.route.RouteConfigParser;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The sinks of one test, on the test JVM's real Kafka: a fresh events topic (so tests never see each other's events),
 * the routing document the test gives, and helpers to publish KubeEvents as the ingest does (Avro single-object
 * encoding, key = involved object uid, envelope headers) and to read a sink's dead letters.
 */
final class SinkHarness implements AutoCloseable {
    private static final EventCodec CODEC = EventCodec.released();

    final String topic = "test.kube.events." + UUID.randomUUID().toString().substring(0, 8);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Sinks sinks;
    private volatile RouteConfig config;

    SinkHarness(String yaml) {
        config = new RouteConfigParser(v -> null, java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))).parse(yaml);
        sinks = new Sinks(SlipwayInfra.get().bootstrapServers(), topic, 3, registry, () -> config, Map.of(),
                io.slipway.outbound.OutboundPolicy.allowing("loopback"));
        sinks.apply(config);
        for (Receiver r : config.receivers()) {
            await("sink " + r.name() + " has its partitions").atMost(Duration.ofSeconds(60)).until(() -> sinks.ready(r.name()));
        }
    }

    /** One event, published the way CI systems and the test kit do (a producer per record). */
    void publish(KubeEvent event) {
        KafkaTopics.produce(topic, key(event), CODEC.encode(event), headers());
    }

    /** Many events at once through one producer, as the ingest publishes a burst. */
    void burst(List<KubeEvent> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfra.get().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = events.stream().map(e -> {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key(e), CODEC.encode(e));
                headers().forEach((k, v) -> record.headers().add(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                return producer.send(record);
            }).toList();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + topic, e.getCause());
        }
    }

    List<ConsumerRecord<String, byte[]>> deadLetters(String sink) {
        return KafkaTopics.readAll(topic + "." + sink + ".dlq");
    }

    SinkMeters.Snapshot counters(String sink) {
        return sinks.meters(sink).orElseThrow().snapshot();
    }

    static KubeEvent decode(byte[] value) {
        return CODEC.decode(value, KubeEvent.class);
    }

    private static String key(KubeEvent e) {
        return e.getInvolvedUid();
    }

    private static Map<String, String> headers() {
        return Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "KubeEvent");
    }

    @Override
    public void close() {
        sinks.close();
    }
}
