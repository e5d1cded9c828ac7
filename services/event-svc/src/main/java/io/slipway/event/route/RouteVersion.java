package io.slipway.event.route;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code route_version}: one version of the routing document, sealed (see {@link RouteHistory}). */
@Entity
@Table(name = "route_version")
public class RouteVersion extends PanacheEntityBase {
    @Id
    public Long version;

    /** The document, sealed with the service's key: it holds the receivers' secrets. */
    @Column(columnDefinition = "text", nullable = false)
    public String document;

    @Column(length = 64, nullable = false)
    public String digest;

    @Column(name = "changed_by", length = 512, nullable = false)
    public String changedBy;

    @Column(name = "changed_at", nullable = false)
    public Instant changedAt;
}
