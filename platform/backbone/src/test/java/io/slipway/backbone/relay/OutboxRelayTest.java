package io.slipway.backbone.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.outbox.OutboxMessage;
import io.slipway.backbone.outbox.OutboxSchema;
import io.slipway.backbone.schema.BackboneSchema;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.KafkaTopics;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The relay on its own, against real PostgreSQL, Debezium and Kafka, without a Quarkus application around it. */
class OutboxRelayTest {
    final OutboxFixture outbox = new OutboxFixture();
    final String domain = outbox.domain;
    final BackboneConfig config = outbox.config;

    @Test
    void outboxRowsCommittedBeforeTheUpgradeAreStillRelayedAheadOfLaterMessages() throws Exception {
        outbox.prepare();
        UUID first;
        UUID second;
        UUID later;
        try (Connection c = outbox.connect()) {
            // Written by the former outbox (rows) and held in the slot; an operator may have emptied the table since:
            // the relay reads the inserts from the write-ahead log.
            first = outbox.insertRow(c, "b-1");
            second = outbox.insertRow(c, "b-2");
            c.createStatement().execute("truncate outbox_event");
            // and the first event after the upgrade, a message on the same aggregate
            later = outbox.emit(c, "b-1");
        }

        OutboxRelay relay = new OutboxRelay(config, new SimpleMeterRegistry());
        relay.start();
        try {
            String topic = EventHeaders.eventsTopic(domain);
            List<ConsumerRecord<String, byte[]>> published = await().atMost(Duration.ofSeconds(60))
                    .until(() -> KafkaTopics.readAll(topic), l -> l.size() >= 3);
            assertThat(published).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID))
                    .containsExactlyInAnyOrder(first.toString(), second.toString(), later.toString());
            List<ConsumerRecord<String, byte[]>> b1 = published.stream().filter(r -> "b-1".equals(r.key())).toList();
            assertThat(b1).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID)).as("one partition, write order")
                    .containsExactly(first.toString(), later.toString());
            ConsumerRecord<String, byte[]> row = b1.get(0);
            assertThat(row.headers().toArray()).extracting(h -> h.key()).containsExactlyInAnyOrder(EventHeaders.EVENT_ID,
                    EventHeaders.EVENT_TYPE, EventHeaders.CORRELATION_ID, EventHeaders.TRACEPARENT, EventHeaders.OUTBOX_POSITION);
            assertThat(KafkaTopics.header(row, EventHeaders.CORRELATION_ID)).isEqualTo("corr-b-1");
            assertThat(EventCodec.released().decode(row.value(), BuildRequested.class).getBuildId()).isEqualTo("b-1");
            assertThat(relay.isLeader()).isTrue();
        } finally {
            relay.stop();
        }
        assertThat(relay.isLeader()).isFalse();
    }

    @Test
    void aMessageOfAFramingVersionTheRelayDoesNotKnowStopsTheRelayInsteadOfBeingSkipped() throws Exception {
        outbox.prepare();
        UUID before;
        try (Connection c = outbox.connect()) {
            before = outbox.emit(c, "b-1");
            byte[] newer = new OutboxMessage(UUID.randomUUID(), "BuildRequested", "b-1", null, null, null,
                    OutboxFixture.payload("b-1")).encode();
            newer[0] = 2; // written by a newer instance
            outbox.emitRaw(c, newer);
            outbox.emit(c, "b-1");
        }
        OutboxRelay relay = new OutboxRelay(outbox.configWith(Map.of("slipway.relay.restart-backoff", "50ms")), new SimpleMeterRegistry());
        relay.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.consecutiveFailures() >= 2);
            assertThat(relay.lastError()).contains("framing version 2");
            // what came before it is published, once although every restart reads it again; nothing after it is
            assertThat(KafkaTopics.readAll(EventHeaders.eventsTopic(domain))).extracting(r -> KafkaTopics.header(r, EventHeaders.EVENT_ID))
                    .containsExactly(before.toString());
        } finally {
            relay.stop();
        }
    }

    @Test
    void aRelayThatCannotReachItsDatabaseCountsItsFailuresAndRetries() {
        int closedPort = io.slipway.embedded.Processes.freePort();
        BackboneConfig unreachable = outbox.configWith(Map.of("slipway.db.port", String.valueOf(closedPort),
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
        BackboneConfig fastRetry = outbox.configWith(Map.of("slipway.relay.restart-backoff", "20ms"));
        OutboxRelay relay = new OutboxRelay(fastRetry, new SimpleMeterRegistry());
        relay.start(); // the service's database does not exist yet
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.consecutiveFailures() >= 3);
            assertThat(relay.lastError()).contains(domain);

            outbox.prepare();
            UUID id;
            try (Connection c = outbox.connect()) {
                id = outbox.emit(c, "b-healed");
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
        outbox.infra.createDatabaseIfMissing(domain);
        BackboneSchema.migrate(config);
        try (Connection c = outbox.connect()) {
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
