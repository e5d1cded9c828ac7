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
import org.hibernate.FlushMode;

/**
 * Appends events to the outbox inside the caller's transaction, so a state change and its event commit together or
 * not at all. Call it from a method running in {@code @WithTransaction} (or {@code Panache.withTransaction}).
 * The event becomes a transactional logical decoding message in the write-ahead log ({@link OutboxMessage}); no
 * table is written.
 */
@ApplicationScoped
public class Outbox {
    private final BackboneConfig config;
    private final EventCodec codec = EventCodec.released();
    private final MeterRegistry metrics;
    private final OutboxSchema schema;
    private final String prefix;

    Outbox(BackboneConfig config, OutboxSchema schema, MeterRegistry metrics) {
        this.config = config;
        this.schema = schema;
        this.metrics = metrics;
        this.prefix = OutboxMessage.prefix(config.domain());
    }

    /** Records {@code event} of aggregate {@code aggregateId}; completes with the new event's id. */
    public Uni<UUID> append(String aggregateId, SpecificRecord event, EventContext context) {
        if (!schema.ready()) {
            return Uni.createFrom().failure(new OutboxNotReady(schema.problem()));
        }
        String type = event.getSchema().getName();
        OutboxMessage message = new OutboxMessage(UUID.randomUUID(), type, aggregateId, context.correlationId(),
                context.causationId(), context.traceparent(), codec.encode(event));
        byte[] content = message.encode();
        return Panache.getSession().chain(session -> {
            if (session.currentTransaction() == null) {
                // In autocommit the message would be committed at once, whatever became of the caller's change.
                return Uni.createFrom().failure(new IllegalStateException("Outbox.append of a " + type + " event for "
                        + aggregateId + " in domain " + config.domain() + " needs a transaction: call it within @WithTransaction"
                        + " or Panache.withTransaction"));
            }
            // FlushMode.COMMIT: the message touches no entity, so pending entity changes need not be flushed before it.
            return session.createNativeQuery(OutboxMessage.EMIT_SQL, String.class)
                    .setFlushMode(FlushMode.COMMIT)
                    .setParameter(1, prefix)
                    .setParameter(2, content)
                    .getSingleResult();
        }).invoke(() -> metrics.counter("slipway.outbox.events.written", "type", type).increment())
                .replaceWith(message.eventId());
    }
}
