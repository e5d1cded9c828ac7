package io.slipway.backbone.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.BackboneConfigs;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.outbox.OutboxSchema;
import io.slipway.backbone.schema.BackboneSchema;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.Infra;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The relay on its own, against real PostgreSQL, Debezium and Kafka, without a Quarkus application around it. */
class OutboxRelayTest {
    final Infra infra = SlipwayInfra.get();
    final String domain = "relaytest" + Long.toHexString(System.nanoTime());
    final BackboneConfig config = configWith(Map.of());

    /** This test's domain on the shared infrastructure, with {@code overrides} applied. */
    BackboneConfig configWith(Map<String, String> overrides) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "slipway.domain", domain,
                "slipway.kafka.bootstrap-servers", infra.bootstrapServers(),
                "slipway.db.host", infra.dbHost(),
                "slipway.db.port", String.valueOf(infra.dbPort()),
                "slipway.db.name", domain,
                "slipway.db.user", infra.dbUser(),
                "slipway.db.password", infra.dbPassword()));
        props.putAll(overrides);
        return BackboneConfigs.of(props);
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(config.jdbcUrl(), infra.dbUser(), infra.dbPassword());
    }

    UUID append(Connection c, String buildId) throws Exception {
        UUID id = UUID.randomUUID();
        try (var insert = c.prepareStatement("insert into outbox_event(id, aggregate_type, aggregate_id, event_type, payload, "
                + "correlation_id, causation_id, traceparent) values (?, ?, ?, ?, ?, ?, null, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, domain);
            insert.setString(3, buildId);
            insert.setString(4, "BuildRequested");
            insert.setBytes(5, EventCodec.released().encode(BuildRequested.newBuilder().setBuildId(buildId).setImage("etcd:v1")
                    .setRequestedBy("test").setRequestedAt(Instant.now()).build()));
            insert.setString(6, "corr-" + buildId);
            insert.setString(7, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            insert.executeUpdate();
        }
        return id;
    }

    @Test
    void eventsWrittenBeforeAnyRelayRanAndAlreadyTruncatedAreStillPublished() throws Exception {
        infra.createDatabaseIfMissing(domain);
        UUID first;
        UUID second;
        BackboneSchema.migrate(config);
        try (Connection c = connect()) {
            OutboxSchema.prepare(c, config.slotName());
            first = append(c, "b-1");
            second = append(c, "b-2");
            // what the janitor does: the rows are gone, their inserts stay in the WAL the slot holds
            c.createStatement().execute("truncate outbox_event");
        }

        OutboxRelay relay = new OutboxRelay(config, new SimpleMeterRegistry());
        relay.start();
        try {
            String topic = EventHeaders.eventsTopic(domain);
            List<ConsumerRecord<String, byte[]>> published = await().atMost(Duration.ofSeconds(60))
                    .until(() -> KafkaTopics.readAll(topic), l -> l.size() >= 2);
            assertThat(published).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID))
                    .containsExactlyInAnyOrder(first.toString(), second.toString());
            ConsumerRecord<String, byte[]> b1 = published.stream().filter(r -> "b-1".equals(r.key())).findFirst().orElseThrow();
            assertThat(KafkaTopics.header(b1, EventHeaders.CORRELATION_ID)).isEqualTo("corr-b-1");
            assertThat(EventCodec.released().decode(b1.value(), BuildRequested.class).getBuildId()).isEqualTo("b-1");
            assertThat(relay.isLeader()).isTrue();
        } finally {
            relay.stop();
        }
        assertThat(relay.isLeader()).isFalse();
    }

    @Test
    void aRelayThatCannotReachItsDatabaseCountsItsFailuresAndRetries() {
        int closedPort = io.slipway.embedded.Processes.freePort();
        BackboneConfig unreachable = configWith(Map.of("slipway.db.port", String.valueOf(closedPort),
                "slipway.db.password", "s3cret-not-for-logs", "slipway.relay.restart-backoff", "20ms"));
        OutboxRelay relay = new OutboxRelay(unreachable, new SimpleMeterRegistry());
        relay.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.consecutiveFailures() >= 3);
            assertThat(relay.isLeader()).isFalse();
            assertThat(relay.lastError()).contains(String.valueOf(closedPort)).doesNotContain("s3cret");
        } finally {
            relay.stop();
        }
    }

    @Test
    void aRelayWhoseDatabaseAppearsLaterHealsAndForgetsItsFailures() throws Exception {
        BackboneConfig fastRetry = configWith(Map.of("slipway.relay.restart-backoff", "20ms"));
        OutboxRelay relay = new OutboxRelay(fastRetry, new SimpleMeterRegistry());
        relay.start(); // the service's database does not exist yet
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.consecutiveFailures() >= 3);
            assertThat(relay.lastError()).contains(domain);

            infra.createDatabaseIfMissing(domain);
            UUID id;
            BackboneSchema.migrate(config);
            try (Connection c = connect()) {
                OutboxSchema.prepare(c, config.slotName());
                id = append(c, "b-healed");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> KafkaTopics.readAll(EventHeaders.eventsTopic(domain)).stream()
                    .anyMatch(r -> id.toString().equals(KafkaTopics.header(r, EventHeaders.EVENT_ID))));
            assertThat(relay.isLeader()).isTrue();
            assertThat(relay.consecutiveFailures()).isZero();
        } finally {
            relay.stop();
        }
    }

    @Test
    void prepareIsIdempotentAndPublishesInsertsOnly() throws Exception {
        infra.createDatabaseIfMissing(domain);
        BackboneSchema.migrate(config);
        try (Connection c = connect()) {
            OutboxSchema.prepare(c, config.slotName());
            OutboxSchema.prepare(c, config.slotName());
            var rs = c.createStatement().executeQuery("select pubinsert, pubupdate, pubdelete, pubtruncate from pg_publication where pubname = '"
                    + config.slotName() + "'");
            assertThat(rs.next()).isTrue();
            assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4))).containsExactly(true, false, false, false);
            var slots = c.createStatement().executeQuery("select count(*) from pg_replication_slots where slot_name = '" + config.slotName() + "'");
            slots.next();
            assertThat(slots.getInt(1)).isEqualTo(1);
        }
    }
}
