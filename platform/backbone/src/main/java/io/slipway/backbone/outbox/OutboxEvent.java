package io.slipway.backbone.outbox;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/**
 * One row of the transactional outbox. Column names follow Debezium's outbox event router; {@link OutboxSchema}
 * creates the table. The relay reads the insert from the write-ahead log, not from the table, which the relaying
 * instance truncates from time to time.
 * No timestamp column: the commit time travels with the change (Debezium's source ts), and decoding a timestamptz
 * was a sixth of the relay's decoding work.
 */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent {
    @Id
    public UUID id;

    @Column(name = "aggregate_type", nullable = false)
    public String aggregateType;

    @Column(name = "aggregate_id", nullable = false)
    public String aggregateId;

    @Column(name = "event_type", nullable = false)
    public String eventType;

    @Column(name = "payload", nullable = false)
    public byte[] payload;

    @Column(name = "correlation_id")
    public String correlationId;

    @Column(name = "causation_id")
    public String causationId;

    @Column(name = "traceparent")
    public String traceparent;
}
