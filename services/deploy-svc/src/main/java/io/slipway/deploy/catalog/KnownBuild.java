package io.slipway.deploy.catalog;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** deploy-svc's own read model of a build it learned about from slipway.build.events. */
@Entity
@Table(name = "known_build")
public class KnownBuild {
    @Id
    @Column(name = "build_id")
    public String buildId;

    @Column(nullable = false)
    public String image;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "requested_at")
    public Instant requestedAt;

    /** Requested, Succeeded or Failed, as build-svc's events said. */
    public String state;

    /** The CloudImage's digest once the build succeeded: what `slipway run` of this image installs. */
    public String digest;

    @Column(name = "failure_reason", length = 4000)
    public String failureReason;

    /** Build events applied to this row; a redelivered event must not raise it. */
    @Column(name = "events_applied", nullable = false)
    public int eventsApplied;

    @Column(name = "last_event_type")
    public String lastEventType;

    @Column(name = "last_event_id")
    public String lastEventId;
}
