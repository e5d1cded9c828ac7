package io.slipway.deploy.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One host of a cluster: its roles, whether it is a member, what it has installed, and its last step or error. */
@Entity
@Table(name = "deploy_host")
public class ClusterHostRecord {
    public enum State {
        /** Desired, not installed yet (or reset). */
        Pending,
        /** Being added by a join; removed again if the join fails. */
        Joining,
        Member,
        /** Desired but its last step failed; the next apply retries it. */
        Failed,
        Removing
    }

    /** cluster + "/" + ip */
    @Id
    public String id;

    @Column(nullable = false)
    public String cluster;

    @Column(nullable = false)
    public String ip;

    /** Comma-separated roles, in the Clusterfile's order. */
    @Column(nullable = false)
    public String roles;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    /** Position in the Clusterfile, to list hosts (and order masters) as the user wrote them. */
    public int position;

    @Column(name = "installed_digest")
    public String installedDigest;

    public String step;

    @Column(length = 4000)
    public String error;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public static String id(String cluster, String ip) {
        return cluster + "/" + ip;
    }
}
