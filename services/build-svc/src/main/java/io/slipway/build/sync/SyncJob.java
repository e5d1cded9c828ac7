package io.slipway.build.sync;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The SyncJob aggregate: one run of image-syncer rules, from Requested to Finished (with its report). */
@Entity
@Table(name = "sync_job")
public class SyncJob {
    public enum State { Requested, Running, Succeeded, Failed }

    @Id
    public String id;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    /** The rules with every password replaced by ***; the runnable copy lives in the data dir (0600). */
    @Column(name = "rules", nullable = false, length = 100_000)
    public String redactedRules;

    @Column(name = "requested_by", nullable = false)
    public String requestedBy;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    public int synced;
    public int skipped;

    @Column(name = "failed_count")
    public int failedCount;

    /** One line per image that failed: source -> destination: reason. */
    @Column(length = 100_000)
    public String failures;

    @Column(name = "bytes_copied")
    public long bytesCopied;

    @Column(name = "correlation_id")
    public String correlationId;
}
