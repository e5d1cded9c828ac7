package io.slipway.deploy.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A host step for one revision (image digest + what the host's hooks see). A Completed row is what lets a restarted
 * service skip the step; a reset or removal of the host deletes its rows.
 */
@Entity
@Table(name = "deploy_host_step")
public class HostStepRecord {
    public enum State {
        Started, Completed, Failed
    }

    /** cluster/ip/step/revision */
    @Id
    public String id;

    @Column(nullable = false)
    public String cluster;

    @Column(nullable = false)
    public String ip;

    @Column(nullable = false)
    public String step;

    @Column(nullable = false)
    public String revision;

    @Column(nullable = false)
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public State state;

    @Column(length = 4000)
    public String detail;

    @Column(name = "bytes_sent")
    public long bytesSent;

    public long generation;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public static String id(String cluster, String ip, String step, String revision) {
        return cluster + "/" + ip + "/" + step + "/" + revision;
    }
}
