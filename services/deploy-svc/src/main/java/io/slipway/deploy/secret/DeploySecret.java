package io.slipway.deploy.secret;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.slipway.deploy.SealedColumn;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A named secret Clusterfiles reference as {@code ${secret:<name>}}; its value is sealed in the database. */
@Entity
@Table(name = "deploy_secret")
public class DeploySecret extends PanacheEntityBase {
    @Id
    public String name;

    @Column(columnDefinition = "text", nullable = false)
    @Convert(converter = SealedValue.class)
    public String value;

    @Column(name = "updated_by")
    public String updatedBy;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Converter
    public static class SealedValue extends SealedColumn {
        public SealedValue() {
            super("deploy.secret.value");
        }
    }
}
