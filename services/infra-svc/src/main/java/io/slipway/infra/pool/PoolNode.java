package io.slipway.infra.pool;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One node a pool wants: its place (role, ordinal), the create that makes it, and what the provider reports. */
@Entity
@Table(name = "pool_node")
public class PoolNode {
    /** Requested -> Creating -> Launched -> Running -> Ready; Failed (replaced: Creating again); Released. */
    public enum State {
        Requested, Creating, Launched, Running, Ready, Failed, Released
    }

    /** {@code <pool>/<role>-<ordinal>}. */
    @Id
    public String id;

    @Column(name = "pool_id", nullable = false)
    public String poolId;

    @Column(nullable = false)
    public String role;

    @Column(nullable = false)
    public int ordinal;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    /** The idempotency token of the create that makes (made) it. */
    public String token;

    /** Which create of this node it is: 0 first, then one more per replacement or retry after a shortfall. */
    @Column(nullable = false)
    public int attempt;

    @Column(name = "instance_id")
    public String instanceId;

    public String address;

    @Column(name = "ssh_port")
    public Integer sshPort;

    /** The host key it presented when it first answered SSH (OpenSSH public key line), pinned by deploy-svc. */
    @Column(name = "host_key", length = 4000)
    public String hostKey;

    @Column(name = "failure_reason", length = 4000)
    public String failureReason;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public static String id(String poolId, String role, int ordinal) {
        return poolId + "/" + role + "-" + ordinal;
    }
}
