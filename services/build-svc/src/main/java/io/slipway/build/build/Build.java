package io.slipway.build.build;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The Build aggregate: one request to turn a Kubefile and its context into a CloudImage. */
@Entity
@Table(name = "build")
public class Build {
    public enum State { Requested, Started, Succeeded, Failed }

    @Id
    public String id;

    @Column(nullable = false)
    public String image;

    @Column(nullable = false)
    public String kubefile;

    public String context;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "build_arg", joinColumns = @JoinColumn(name = "build_id"))
    @MapKeyColumn(name = "name")
    @Column(name = "value")
    public Map<String, String> buildArgs = new HashMap<>();

    @Column(name = "requested_by", nullable = false)
    public String requestedBy;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "correlation_id")
    public String correlationId;
}
