package io.slipway.infra.pool;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The Pool aggregate: nodes of some roles from one provider, wanted until the pool is deleted. */
@Entity
@Table(name = "pool")
public class Pool {
    /** Requested (being provisioned) -> Ready | Failed; any of them -> Deleting -> Deleted. */
    public enum State {
        Requested, Ready, Failed, Deleting, Deleted;

        /** Whether the pool still wants its nodes (a failed pool's nodes are released, like a deleted one's). */
        public boolean wantsNodes() {
            return this == Requested || this == Ready;
        }
    }

    @Id
    public String id;

    @Column(nullable = false)
    public String provider;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "pool_role", joinColumns = @JoinColumn(name = "pool_id"))
    public List<Role> roles = new ArrayList<>();

    @Column(name = "requested_by", nullable = false)
    public String requestedBy;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "correlation_id")
    public String correlationId;

    public String traceparent;

    /** The instance provisioning or deleting it (host/pid/start), holding it until {@link #leaseUntil}. */
    public String worker;

    @Column(name = "lease_until")
    public Instant leaseUntil;

    @Column(name = "ready_at")
    public Instant readyAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "failure_reason", length = 4000)
    public String failureReason;

    /**
     * The request for a new pool of this id, made while this one was being deleted (JSON of a {@link PoolRequest}); the
     * new pool is made in the transaction that records this one Deleted. Null when nothing waits.
     */
    @Column(name = "successor_request", columnDefinition = "text")
    public String successorRequest;

    @Column(name = "successor_by")
    public String successorBy;

    public int nodeCount() {
        return roles.stream().mapToInt(r -> r.count).sum();
    }

    /** One role's nodes: how many, and of which provider-specific size and image. */
    @Embeddable
    public static class Role {
        @Column(nullable = false)
        public String role;

        @Column(nullable = false)
        public int count;

        public String size;

        public String image;

        public Role() {
        }

        public Role(String role, int count, String size, String image) {
            this.role = role;
            this.count = count;
            this.size = size;
            this.image = image;
        }
    }
}
