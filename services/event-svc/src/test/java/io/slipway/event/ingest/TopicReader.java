package io.slipway.event.ingest;

import io.slipway.backbone.EventHeaders;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.SlipwayInfra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic of the test JVM's Kafka from its beginning for as long as a test runs, as a downstream consumer would. */
final class TopicReader implements AutoCloseable {
    /** One record as a consumer sees it: key, envelope headers and the decoded event. */
    record Published(String key, Map<String, String> headers, KubeEvent event) {
        String occurrence() {
            return event.getUid() + "/" + event.getCount();
        }
    }

    private final List<Published> records = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    TopicReader(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfra.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        EventCodec codec = EventCodec.released();
        thread = new Thread(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        Map<String, String> headers = new HashMap<>();
                        r.headers().forEach(h -> headers.put(h.key(), EventHeaders.get(r.headers(), h.key())));
                        records.add(new Published(r.key(), headers, codec.decode(r.value(), KubeEvent.class)));
                    }
                }
            }
        }, "topic-reader-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    List<Published> records() {
        return new ArrayList<>(records);
    }

    /** uid/count of every record, in the order read. */
    List<String> occurrences() {
        return records.stream().map(Published::occurrence).toList();
    }

    int size() {
        return records.size();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
