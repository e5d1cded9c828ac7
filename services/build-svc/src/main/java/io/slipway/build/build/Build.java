package io.slipway.build.build;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The Build aggregate: one request to turn a Kubefile and its context into a CloudImage. */
@Entity
@Table(name = "build")
public class Build {
    /** Requested -> Started -> (LayerBuilt..., ImagesCached, Pushed are progress within Started) -> Succeeded | Failed. */
    public enum State {
        Requested, Started, Succeeded, Failed;

        public boolean terminal() {
            return this == Succeeded || this == Failed;
        }
    }

    @Id
    public String id;

    @Column(nullable = false)
    public String image;

    @Column(nullable = false)
    public String kubefile;

    public String context;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "build_arg", joinColumns = @JoinColumn(name = "build_id"))
    @MapKeyColumn(name = "name")
    @Column(name = "value")
    public Map<String, String> buildArgs = new HashMap<>();

    @Column(name = "requested_by", nullable = false)
    public String requestedBy;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "correlation_id")
    public String correlationId;

    public String traceparent;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "build_platform", joinColumns = @JoinColumn(name = "build_id"))
    @Column(name = "platform")
    public java.util.List<String> platforms = new java.util.ArrayList<>();

    @Column(name = "no_cache", nullable = false)
    public boolean noCache;

    @Column(nullable = false)
    public boolean push;

    /** Fail the build when a container image cannot be cached. */
    @Column(nullable = false)
    public boolean strict;

    /** Container images named by the image's files that could not be cached (the image is then not offline-complete). */
    @Column(name = "images_unresolved", nullable = false)
    public int imagesUnresolved;

    /** Which worker runs it (host and process), while Started. */
    public String worker;

    @Column(name = "started_at")
    public Instant startedAt;

    /** Renewed by the worker's instance while Started: older than the lease, the worker counts as gone. */
    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** Manifest or index digest once Succeeded. */
    public String digest;

    @Column(name = "layers_built", nullable = false)
    public int layersBuilt;

    @Column(name = "layers_cached", nullable = false)
    public int layersCached;

    /** What went wrong and where (file:line, step), once Failed. */
    @Column(name = "failure_reason", length = 4000)
    public String failureReason;

    /** The last progress step reached (for status views and failures). */
    @Column(name = "last_step", length = 1000)
    public String lastStep;
}
