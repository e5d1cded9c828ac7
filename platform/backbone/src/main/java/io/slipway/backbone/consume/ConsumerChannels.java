package io.slipway.backbone.consume;

import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The service's Kafka {@code @Incoming} channels as configured in {@code application.properties}: their topics and
 * dead-letter topics are created before SmallRye subscribes (with {@code slipway.kafka.partitions}; a topic the
 * broker made on first use would get its default of one), and their lag is read from the connector's consumers.
 */
@ApplicationScoped
public class ConsumerChannels {
    private static final Logger LOG = Logger.getLogger(ConsumerChannels.class);
    private static final String PREFIX = "mp.messaging.incoming.";

    private final BackboneConfig config;
    private final KafkaClientService clients;
    private final IdempotentConsumer consumer;
    /** Read once: channels are configuration, fixed for the application's life. */
    private final Map<String, List<String>> topicsByChannel;

    ConsumerChannels(BackboneConfig config, Config mpConfig, KafkaClientService clients, IdempotentConsumer consumer) {
        this.config = config;
        this.clients = clients;
        this.consumer = consumer;
        this.topicsByChannel = java.util.Collections.unmodifiableMap(readChannels(mpConfig));
    }

    /** Before SmallRye Reactive Messaging starts its channels (it observes at {@code LIBRARY_BEFORE}). */
    void createTopics(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE - 1) StartupEvent event) {
        List<String> topics = new ArrayList<>();
        topicsByChannel().values().forEach(t -> t.forEach(topic -> {
            topics.add(topic);
            topics.add(EventHeaders.deadLetterTopic(topic));
        }));
        if (topics.isEmpty()) {
            return;
        }
        try {
            Topics.ensure(config.kafka().bootstrapServers(), config.kafka().partitions(), topics);
        } catch (RuntimeException e) {
            LOG.warnf("topics %s not created up front (%s); the broker creates them on first use", topics, e.getMessage());
        }
    }

    /** Each Kafka incoming channel and the topics it reads. */
    public Map<String, List<String>> topicsByChannel() {
        return topicsByChannel;
    }

    /** The topics each consumer group of this instance reads (a group per channel). */
    public Map<String, List<String>> topicsByGroup() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        topicsByChannel().forEach((channel, topics) -> out.put(consumer.group(channel), topics));
        return out;
    }

    private static Map<String, List<String>> readChannels(Config mpConfig) {
        Map<String, List<String>> channels = new TreeMap<>();
        for (String name : mpConfig.getPropertyNames()) {
            if (name.startsWith(PREFIX) && name.endsWith(".connector")
                    && "smallrye-kafka".equals(mpConfig.getOptionalValue(name, String.class).orElse(null))) {
                String channel = name.substring(PREFIX.length(), name.length() - ".connector".length());
                String topics = mpConfig.getOptionalValue(PREFIX + channel + ".topics", String.class)
                        .or(() -> mpConfig.getOptionalValue(PREFIX + channel + ".topic", String.class)).orElse(channel);
                channels.put(channel, List.of(topics.split("\\s*,\\s*")));
            }
        }
        return channels;
    }

    /** Records behind the end of the assigned partitions, per consumer group of this instance. */
    public Uni<Map<String, Long>> lagByGroup() {
        Map<String, Uni<Long>> lags = new LinkedHashMap<>();
        for (String channel : topicsByChannel().keySet()) {
            KafkaConsumer<Object, Object> c = clients.getConsumer(channel);
            lags.put(consumer.group(channel), c == null ? Uni.createFrom().item(0L) : c.runOnPollingThread(kafka -> {
                long total = 0;
                for (TopicPartition tp : kafka.assignment()) {
                    total += kafka.currentLag(tp).orElse(0);
                }
                return total;
            }));
        }
        if (lags.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<String> groups = new ArrayList<>(lags.keySet());
        return Uni.join().all(new ArrayList<>(lags.values())).andFailFast().map(values -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (int i = 0; i < groups.size(); i++) {
                out.put(groups.get(i), values.get(i));
            }
            return out;
        });
    }
}
