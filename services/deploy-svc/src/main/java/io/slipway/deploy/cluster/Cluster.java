package io.slipway.deploy.cluster;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The Cluster aggregate: the desired Clusterfile, what is installed, and the operation in progress (at most one).
 * The Clusterfile column holds the SSH secrets the operations need; nothing that leaves the service shows it unmasked.
 */
@Entity
@Table(name = "deploy_cluster")
public class Cluster {
    public enum State {
        Installing, Upgrading, Scaling, Deleting, Ready, Degraded, Failed, Deleted;

        public boolean settled() {
            return this == Ready || this == Degraded || this == Failed || this == Deleted;
        }
    }

    @Id
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    @Column(length = 4000)
    public String message;

    /** The image reference of the desired Clusterfile. */
    public String image;

    /** The platform manifest digest every member host has installed (null before the first install finishes). */
    @Column(name = "image_digest")
    public String imageDigest;

    public long generation;

    @Enumerated(EnumType.STRING)
    public ClusterOperation operation;

    /** Hosts the pending operation is about (join, remove, reset), comma separated. */
    @Column(name = "operation_hosts", length = 4000)
    public String operationHosts;

    @Column(name = "operation_force")
    public boolean operationForce;

    /** True while an operation waits for or is being run by a worker. */
    public boolean pending;

    public String worker;

    /** Renewed by the worker's instance while it holds the operation: older than the lease, the worker counts as gone. */
    @Column(name = "heartbeat_at")
    public java.time.Instant heartbeatAt;

    /**
     * The infra-svc pool the pending operation waits for (its Clusterfile's infra section); no worker claims the
     * operation until PoolReady hands the nodes over. Null when nothing is awaited.
     */
    @Column(name = "awaiting_pool")
    public String awaitingPool;

    /** The desired Clusterfile, secrets and all: sealed in the database ({@link SealedClusterfile}). */
    @Column(columnDefinition = "text", nullable = false)
    @jakarta.persistence.Convert(converter = SealedClusterfile.class)
    public String clusterfile;

    /** The last request id seen from CI (slipway.deploy.requests), so a redelivered request is one operation. */
    @Column(name = "request_id")
    public String requestId;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "correlation_id")
    public String correlationId;

    public String traceparent;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
