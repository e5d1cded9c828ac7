package io.slipway.infra.pool;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One create call of a pool, recorded before it goes out: the journal a restarted infra-svc repeats under the same
 * tokens, so a crash mid-create never makes a second node.
 */
@Entity
@Table(name = "pool_create")
public class PoolCreate {
    @Id
    public String token;

    @Column(name = "pool_id", nullable = false)
    public String poolId;

    @Column(nullable = false)
    public String role;

    @Column(nullable = false)
    public int count;

    public String size;

    public String image;

    @Column(name = "issued_at", nullable = false)
    public Instant issuedAt;
}
