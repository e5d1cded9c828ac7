package io.slipway.backbone.consume;

import static io.slipway.backbone.consume.IdempotentConsumerTest.count;
import static io.slipway.backbone.consume.IdempotentConsumerTest.effects;
import static io.slipway.backbone.consume.IdempotentConsumerTest.envelope;
import static io.slipway.backbone.consume.IdempotentConsumerTest.requested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.Infra;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import io.slipway.testkit.SlipwayInfraResource;
import jakarta.inject.Inject;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * {@code processed_event} is pruned by its topics' retention: ids their topic can no longer redeliver go, in batches;
 * an event redelivered inside the window is still skipped.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "backbone"))
class DedupRetentionTest {
    static final String GROUP = ConsumerTestListener.GROUP;

    @Inject
    DedupRetention retention;

    @Inject
    ConsumerTestListener listener;

    @Test
    void idsTheTopicCanNoLongerRedeliverArePrunedAndARedeliveryInsideTheWindowIsStillSkipped() throws Exception {
        // the topic keeps records 2 h in segments of at most 1 h: an id is needed for 2 h + 1 h + 1 h of clock margin
        setTopicConfig(Map.of("retention.ms", String.valueOf(Duration.ofHours(2).toMillis()), "segment.ms",
                String.valueOf(Duration.ofHours(1).toMillis())));
        String buildId = UUID.randomUUID().toString();
        String eventId = UUID.randomUUID().toString();
        KafkaTopics.produce(ConsumerTestListener.TOPIC, buildId, requested(buildId, "img:kept"), envelope(eventId));
        await().atMost(Duration.ofSeconds(60)).until(() -> effects(buildId) == 1);
        String oldPrefix = "old-" + UUID.randomUUID() + "-";
        for (int i = 0; i < 7; i++) {
            insertProcessed(oldPrefix + i, Instant.now().minus(Duration.ofHours(4)).minusSeconds(60));
        }
        String edge = "edge-" + UUID.randomUUID();
        insertProcessed(edge, Instant.now().minus(Duration.ofHours(4)).plusSeconds(600));

        Map<String, Long> deleted = retention.prune(Instant.now());

        assertThat(deleted.get(GROUP)).as("7 old ids, in batches of 3").isGreaterThanOrEqualTo(7);
        assertThat(count("select count(*) from processed_event where event_id like ?", oldPrefix + "%")).isZero();
        assertThat(count("select count(*) from processed_event where event_id = ?", edge)).as("inside the window").isEqualTo(1);
        assertThat(count("select count(*) from processed_event where event_id = ?", eventId)).isEqualTo(1);

        // redelivered (an offset reset, a replay): still recognised, the effect does not run again
        KafkaTopics.produce(ConsumerTestListener.TOPIC, buildId, requested(buildId, "img:kept"), envelope(eventId));
        String marker = UUID.randomUUID().toString();
        KafkaTopics.produce(ConsumerTestListener.TOPIC, buildId, requested(buildId, "img:marker"), envelope(marker));
        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from processed_event where event_id = ?", marker) == 1);
        assertThat(effects(buildId)).isEqualTo(2);
        assertThat(listener.attempts(buildId)).isEqualTo(2);

        // five hours on, the topic cannot hold it any more: its id goes too
        retention.prune(Instant.now().plus(Duration.ofHours(5)));
        assertThat(count("select count(*) from processed_event where event_id = ?", eventId)).isZero();
    }

    @Test
    void aTopicThatKeepsEverythingKeepsItsGroupsIds() throws Exception {
        setTopicConfig(Map.of("retention.ms", "-1", "segment.ms", String.valueOf(Duration.ofHours(1).toMillis())));
        String old = "forever-" + UUID.randomUUID();
        insertProcessed(old, Instant.now().minus(Duration.ofDays(400)));
        assertThat(retention.windowsByGroup()).containsEntry(GROUP, Optional.empty());
        retention.prune(Instant.now());
        assertThat(count("select count(*) from processed_event where event_id = ?", old)).isEqualTo(1);
        setTopicConfig(Map.of("retention.ms", String.valueOf(Duration.ofDays(7).toMillis())));
    }

    @Test
    void theWindowIsRetentionPlusSegmentPlusAnHourAndCompactedTopicsHaveNone() {
        assertThat(DedupRetention.window(config(Map.of("cleanup.policy", "delete", "retention.ms", "7200000", "segment.ms", "3600000"))))
                .contains(Duration.ofHours(4));
        assertThat(DedupRetention.window(config(Map.of("cleanup.policy", "compact", "retention.ms", "7200000")))).isEmpty();
        assertThat(DedupRetention.window(config(Map.of("cleanup.policy", "compact,delete", "retention.ms", "7200000")))).isEmpty();
        assertThat(DedupRetention.window(config(Map.of("cleanup.policy", "delete", "retention.ms", "-1")))).isEmpty();
    }

    static Config config(Map<String, String> entries) {
        return new Config(entries.entrySet().stream().map(e -> new ConfigEntry(e.getKey(), e.getValue())).toList());
    }

    static void insertProcessed(String eventId, Instant at) throws Exception {
        Infra infra = SlipwayInfra.get();
        try (var c = DriverManager.getConnection("jdbc:postgresql://" + infra.dbHost() + ":" + infra.dbPort() + "/backbone",
                infra.dbUser(), infra.dbPassword()); var insert = c.prepareStatement("""
                insert into processed_event(consumer_group, event_id, topic, partition_no, offset_no, processed_at)
                values (?, ?, ?, 0, 0, ?)""")) {
            insert.setString(1, GROUP);
            insert.setString(2, eventId);
            insert.setString(3, ConsumerTestListener.TOPIC);
            insert.setTimestamp(4, Timestamp.from(at));
            insert.executeUpdate();
        }
    }

    static void setTopicConfig(Map<String, String> values) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfra.get().bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, ConsumerTestListener.TOPIC);
            List<AlterConfigOp> ops = values.entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET)).toList();
            admin.incrementalAlterConfigs(Map.of(topic, ops)).all().get(30, TimeUnit.SECONDS);
        }
    }
}
