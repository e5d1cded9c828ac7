package io.slipway.deploy.cluster;

import io.slipway.deploy.SealedColumn;
import jakarta.persistence.Converter;

/** A cluster's Clusterfile holds its SSH passwords and keys and its registry password: sealed in the database. */
@Converter
public class SealedClusterfile extends SealedColumn {
    public SealedClusterfile() {
        super("deploy.cluster.clusterfile");
    }
}
