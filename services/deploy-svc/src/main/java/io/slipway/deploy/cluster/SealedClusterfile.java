package io.slipway.deploy.cluster;

import io.quarkus.arc.Arc;
import io.slipway.deploy.DeployData;
import io.slipway.security.SecretBox;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/**
 * A cluster's Clusterfile holds its SSH passwords and keys and its registry password: in the database it is sealed
 * ({@link SecretBox}, key in deploy-svc's data directory), so a copy of the database or a backup shows none of them.
 * A row written before sealing is read as it is and sealed when the cluster is next written.
 */
@Converter
public class SealedClusterfile implements AttributeConverter<String, String> {
    private static final String PURPOSE = "deploy.cluster.clusterfile";

    private static SecretBox box() {
        return Arc.container().instance(DeployData.class).get().secrets();
    }

    @Override
    public String convertToDatabaseColumn(String clusterfile) {
        return clusterfile == null ? null : box().seal(clusterfile, PURPOSE);
    }

    @Override
    public String convertToEntityAttribute(String stored) {
        return stored == null ? null : box().open(stored, PURPOSE);
    }
}
