package io.slipway.build.image;

import io.slipway.events.build.ImageAction;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An image store change about to be made: what the store will show once it is (the name at {@code digest}, or, for a
 * removal, the name gone; for a pull, the name at a digest other than {@code replacedDigest}), and who asked.
 */
@Entity
@Table(name = "image_change_intent")
public class ImageChangeIntent {
    @Id
    public UUID id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public ImageAction action;

    @Column(nullable = false, length = 1000)
    public String image;

    /** The digest the name points at after the change; for a pull, not known before it. */
    public String digest;

    /** For a pull: the registry reference pulled from. */
    @Column(length = 1000)
    public String remote;

    /** For a pull: the digest the name pointed at before it (null when it had none). */
    @Column(name = "replaced_digest")
    public String replacedDigest;

    @Column(nullable = false)
    public String actor;

    @Column(name = "correlation_id")
    public String correlationId;

    public String traceparent;

    /** The process making the change ({@link io.slipway.backbone.work.WorkerIdentity}). */
    @Column(nullable = false)
    public String worker;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
