package io.slipway.backbone.consume;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** One application of a test event's effect: a row per apply, so a test counts how often an event took effect. */
@Entity
@Table(name = "test_effect")
public class TestEffect {
    @Id
    public UUID id;

    @Column(name = "event_id", nullable = false)
    public String eventId;

    @Column(name = "build_id", nullable = false)
    public String buildId;
}
