package io.slipway.backbone.relay;

import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.BackboneConfigs;
import io.slipway.backbone.outbox.OutboxMessage;
import io.slipway.backbone.outbox.OutboxSchema;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.Infra;
import io.slipway.testkit.SlipwayInfra;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One test's own domain and database on the shared infrastructure, and the two ways an event reaches the relay:
 * a logical decoding message (what {@code Outbox.append} writes) and a row of the former outbox table.
 */
final class OutboxFixture {
    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    final Infra infra = SlipwayInfra.get();
    final String domain = "relaytest" + Long.toHexString(System.nanoTime());
    final BackboneConfig config = configWith(Map.of());

    /** This test's domain on the shared infrastructure, with {@code overrides} applied. */
    BackboneConfig configWith(Map<String, String> overrides) {
        return BackboneConfigs.of(properties(overrides));
    }

    Map<String, String> properties(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                "slipway.domain", domain,
                "slipway.kafka.bootstrap-servers", infra.bootstrapServers(),
                "slipway.db.host", infra.dbHost(),
                "slipway.db.port", String.valueOf(infra.dbPort()),
                "slipway.db.name", domain,
                "slipway.db.user", infra.dbUser(),
                "slipway.db.password", infra.dbPassword()));
        props.putAll(overrides);
        return props;
    }

    /**
     * The database with the backbone's tables (its migrations) and the slot and publication, as a service's startup
     * makes them.
     */
    void prepare() throws Exception {
        infra.createDatabaseIfMissing(domain);
        io.slipway.backbone.schema.BackboneSchema.migrate(config);
        try (Connection c = connect()) {
            OutboxSchema.prepare(c, config.slotName());
        }
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(config.jdbcUrl(), infra.dbUser(), infra.dbPassword());
    }

    static byte[] payload(String buildId) {
        return EventCodec.released().encode(BuildRequested.newBuilder().setBuildId(buildId).setImage("etcd:v1")
                .setRequestedBy("test").setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build());
    }

    /** What {@code Outbox.append} does, on {@code c}'s current transaction (or its own, in autocommit). */
    UUID emit(Connection c, String buildId) throws Exception {
        UUID id = UUID.randomUUID();
        emitRaw(c, new OutboxMessage(id, "BuildRequested", buildId, "corr-" + buildId, "cause-" + buildId, TRACEPARENT,
                payload(buildId)).encode());
        return id;
    }

    /** A message of the outbox's prefix with whatever content. */
    void emitRaw(Connection c, byte[] content) throws Exception {
        try (var emit = c.prepareStatement(OutboxMessage.EMIT_SQL)) {
            emit.setString(1, OutboxMessage.prefix(domain));
            emit.setBytes(2, content);
            emit.executeQuery().close();
        }
    }

    /** What the outbox did before it wrote messages: a row, published by the relay through Debezium's router. */
    UUID insertRow(Connection c, String buildId) throws Exception {
        UUID id = UUID.randomUUID();
        try (var insert = c.prepareStatement("insert into outbox_event(id, aggregate_type, aggregate_id, event_type, payload, "
                + "correlation_id, causation_id, traceparent) values (?, ?, ?, ?, ?, ?, null, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, domain);
            insert.setString(3, buildId);
            insert.setString(4, "BuildRequested");
            insert.setBytes(5, payload(buildId));
            insert.setString(6, "corr-" + buildId);
            insert.setString(7, TRACEPARENT);
            insert.executeUpdate();
        }
        return id;
    }
}
