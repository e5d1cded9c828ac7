package io.slipway.deploy.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

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

    /** A new row for a host of {@code cluster}, in {@code state}, at {@code position} in the Clusterfile. */
    public static ClusterHostRecord of(String cluster, String ip, List<String> roles, int position, State state, Instant at) {
        ClusterHostRecord h = new ClusterHostRecord();
        h.id = id(cluster, ip);
        h.cluster = cluster;
        h.ip = ip;
        h.roles = String.join(",", roles);
        h.position = position;
        h.state = state;
        h.updatedAt = at;
        return h;
    }

    public static String id(String cluster, String ip) {
        return cluster + "/" + ip;
    }
}
