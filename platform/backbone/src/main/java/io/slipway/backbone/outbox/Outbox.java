package io.slipway.backbone.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventContext;
import io.slipway.schemas.EventCodec;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Appends events to the outbox inside the caller's transaction, so a state change and its event commit together or
 * not at all. Call it from a method running in {@code @WithTransaction} (or {@code Panache.withTransaction}).
 */
@ApplicationScoped
public class Outbox {
    private final BackboneConfig config;
    private final EventCodec codec = EventCodec.released();
    private final MeterRegistry metrics;

    private final OutboxSchema schema;

    Outbox(BackboneConfig config, OutboxSchema schema, MeterRegistry metrics) {
        this.config = config;
        this.schema = schema;
        this.metrics = metrics;
    }

    /** Records {@code event} of aggregate {@code aggregateId}; completes with the new event's id. */
    public Uni<UUID> append(String aggregateId, SpecificRecord event, EventContext context) {
        OutboxEvent row = new OutboxEvent();
        row.id = UUID.randomUUID();
        row.aggregateType = config.domain();
        row.aggregateId = aggregateId;
        row.eventType = event.getSchema().getName();
        row.payload = codec.encode(event);
        row.correlationId = context.correlationId();
        row.causationId = context.causationId();
        row.traceparent = context.traceparent();
        if (!schema.ready()) {
            return Uni.createFrom().failure(new OutboxNotReady(schema.problem()));
        }
        return Panache.getSession().flatMap(session -> session.persist(row))
                .invoke(() -> metrics.counter("slipway.outbox.events.written", "type", row.eventType).increment())
                .replaceWith(row.id);
    }
}
