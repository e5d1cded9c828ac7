package io.slipway.backbone.consume;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** An event a consumer group has applied; written in the same transaction as the event's effect. */
@Entity
@Table(name = "processed_event")
public class ProcessedEvent {
    @EmbeddedId
    public Key key;

    @Column(name = "topic", nullable = false)
    public String topic;

    @Column(name = "partition_no", nullable = false)
    public int partition;

    @Column(name = "offset_no", nullable = false)
    public long offset;

    @Column(name = "processed_at", nullable = false)
    public Instant processedAt;

    @Embeddable
    public record Key(@Column(name = "consumer_group") String consumerGroup, @Column(name = "event_id") String eventId)
            implements Serializable {
    }
}
