package io.slipway.event.feed;

import io.slipway.event.route.EventView;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.schemas.EventDecodingException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Kubernetes events as they reach the events topic, for people watching: the last few of each partition, then every
 * new one. Each follower reads with its own consumer and no group, so it commits nothing and moves no sink.
 */
final class KubeEventFeed {
    private static final Logger LOG = Logger.getLogger(KubeEventFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final EventCodec CODEC = EventCodec.released();

    private final String bootstrapServers;
    private final String topic;

    KubeEventFeed(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    /** The last {@code recent} events of each partition, then new ones, as the JSON document sinks receive. */
    Multi<Map<String, Object>> follow(int recent) {
        return Multi.createFrom().emitter(emitter -> {
            KafkaConsumer<byte[], byte[]> consumer = consumer();
            emitter.onTermination(consumer::wakeup);
            Thread.ofVirtual().name("kube-event-feed").start(() -> read(consumer, recent, emitter));
        });
    }

    private void read(KafkaConsumer<byte[], byte[]> consumer, int recent, MultiEmitter<? super Map<String, Object>> emitter) {
        try (consumer) {
            List<TopicPartition> partitions = partitions(consumer, emitter);
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            consumer.endOffsets(partitions).forEach((tp, end) -> consumer.seek(tp, Math.max(begin.get(tp), end - recent)));
            while (!emitter.isCancelled()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    try {
                        emitter.emit(EventView.document(CODEC.decode(r.value(), KubeEvent.class)));
                    } catch (EventDecodingException e) {
                        // the sinks send such a record to their dead letters; a person watching just does not see it
                        LOG.debugf("%s-%d@%d is no Kubernetes event: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            // the follower went away
        } catch (RuntimeException e) {
            emitter.fail(e);
            return;
        }
        emitter.complete();
    }

    /** The topic's partitions, once it exists (nothing may have been published yet); empty if the follower left first. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, MultiEmitter<?> emitter) {
        List<TopicPartition> partitions = new ArrayList<>();
        while (partitions.isEmpty() && !emitter.isCancelled()) {
            try {
                for (PartitionInfo p : consumer.partitionsFor(topic, POLL)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            } catch (TimeoutException e) {
                // not known yet: asked again
            }
            if (partitions.isEmpty() && !pause()) {
                break;
            }
        }
        return partitions;
    }

    private static boolean pause() {
        try {
            Thread.sleep(POLL);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "event-svc-feed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a follower never creates the topic (the broker would give it its default partition count)
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
