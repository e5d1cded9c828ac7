package io.slipway.backbone.consume;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BackboneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

/**
 * Keeps {@code processed_event} bounded: an event id is needed only while its topic can still deliver the event again.
 * Kafka deletes a record at the latest {@code retention.ms} after the newest record of its segment, and a segment
 * takes records for at most {@code segment.ms}; a record's timestamp may run ahead of the broker's clock by up to
 * {@code message.timestamp.after.max.ms} (one hour by default), and the broker checks retention every few minutes. So
 * an id recorded at {@code t} (after its record was written) is prunable once {@code t + retention.ms + segment.ms
 * + 1 h} has passed, for the longest-lived topic of its group; a topic that is compacted or keeps everything
 * ({@code retention.ms=-1}) keeps its groups' ids forever. Rows go in small batches, each its own short transaction
 * found through the {@code (consumer_group, processed_at)} index, so a prune never holds a long lock.
 */
@ApplicationScoped
public class DedupRetention {
    private static final Logger LOG = Logger.getLogger(DedupRetention.class);
    static final Duration MARGIN = Duration.ofHours(1);
    private static final String PRUNE = """
            delete from processed_event where ctid = any(array(
              select ctid from processed_event where consumer_group = ? and processed_at < ? limit ?))""";

    private final BackboneConfig config;
    private final ConsumerChannels channels;
    private final IdempotentConsumer consumer;
    private final MeterRegistry metrics;
    private ScheduledExecutorService timer;

    DedupRetention(BackboneConfig config, ConsumerChannels channels, IdempotentConsumer consumer, MeterRegistry metrics) {
        this.config = config;
        this.channels = channels;
        this.consumer = consumer;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        Duration every = config.consumer().dedupPruneInterval();
        if (every.isZero() || channels.topicsByChannel().isEmpty()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dedup-retention-" + config.domain());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                prune(Instant.now());
            } catch (RuntimeException e) {
                LOG.warnf("pruning processed_event failed, trying again in %s: %s", every, e.getMessage());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Deletes what no topic can redeliver as of {@code now}; returns the rows deleted per consumer group. */
    public Map<String, Long> prune(Instant now) {
        Map<String, Long> deleted = new LinkedHashMap<>();
        Map<String, Optional<Duration>> windows = windowsByGroup();
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.db().user(), config.db().password())) {
            c.setAutoCommit(true); // each batch its own transaction
            for (Map.Entry<String, Optional<Duration>> group : windows.entrySet()) {
                if (group.getValue().isEmpty()) {
                    continue; // its topics keep everything: so must we
                }
                Instant before = now.minus(group.getValue().get());
                long total = 0;
                int batch;
                do {
                    try (var delete = c.prepareStatement(PRUNE)) {
                        delete.setString(1, group.getKey());
                        delete.setTimestamp(2, Timestamp.from(before));
                        delete.setInt(3, config.consumer().dedupPruneBatch());
                        batch = delete.executeUpdate();
                    }
                    total += batch;
                } while (batch >= config.consumer().dedupPruneBatch());
                if (total > 0) {
                    LOG.infof("group %s: pruned %d ids of events applied before %s (topics keep %s)", group.getKey(), total, before,
                            group.getValue().get());
                    metrics.counter("slipway.consumer.dedup.pruned", "group", group.getKey()).increment(total);
                }
                deleted.put(group.getKey(), total);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database " + config.db().host() + ":" + config.db().port() + "/" + config.db().name() + ": "
                    + e.getMessage(), e);
        }
        return deleted;
    }

    /** How long each group's ids are kept: the longest of its topics' windows; empty = forever. */
    Map<String, Optional<Duration>> windowsByGroup() {
        Map<String, List<String>> topicsByGroup = new LinkedHashMap<>();
        channels.topicsByChannel().forEach((channel, topics) ->
                topicsByGroup.computeIfAbsent(consumer.group(channel), g -> new ArrayList<>()).addAll(topics));
        Map<String, Optional<Duration>> byTopic = windowsByTopic(topicsByGroup.values().stream().flatMap(Collection::stream).toList());
        Map<String, Optional<Duration>> windows = new LinkedHashMap<>();
        topicsByGroup.forEach((group, topics) -> {
            Optional<Duration> longest = Optional.of(Duration.ZERO);
            for (String topic : topics) {
                Optional<Duration> w = byTopic.getOrDefault(topic, Optional.empty());
                longest = longest.isEmpty() || w.isEmpty() ? Optional.empty()
                        : Optional.of(w.get().compareTo(longest.get()) > 0 ? w.get() : longest.get());
            }
            windows.put(group, longest);
        });
        return windows;
    }

    private Map<String, Optional<Duration>> windowsByTopic(List<String> topics) {
        Map<String, Optional<Duration>> windows = new LinkedHashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"))) {
            List<ConfigResource> resources = topics.stream().distinct().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            configs.forEach((resource, c) -> windows.put(resource.name(), window(c)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading topic retention", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the retention of topics " + topics + ": " + e.getMessage(), e);
        }
        return windows;
    }

    /** How long after its record was written an event can still be delivered by a topic of this configuration. */
    static Optional<Duration> window(Config topic) {
        String policy = value(topic, TopicConfig.CLEANUP_POLICY_CONFIG, "delete");
        long retention = Long.parseLong(value(topic, TopicConfig.RETENTION_MS_CONFIG, "-1"));
        if (!policy.contains("delete") || policy.contains("compact") || retention < 0) {
            return Optional.empty();
        }
        long segment = Long.parseLong(value(topic, TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(Duration.ofDays(7).toMillis())));
        return Optional.of(Duration.ofMillis(retention).plusMillis(segment).plus(MARGIN));
    }

    private static String value(Config config, String name, String fallback) {
        var entry = config.get(name);
        return entry == null || entry.value() == null ? fallback : entry.value();
    }
}
