package io.slipway.deploy.cluster;

import io.slipway.deploy.clusterfile.InfraSpec;
import java.util.List;

/**
 * A validated request for an operation. {@code clusterfile} is the full desired Clusterfile after the operation (with
 * secrets, stored only in this service's database); {@code maskedClusterfile} is what events carry.
 *
 * @param hosts the hosts a join adds (with roles in {@code desiredHosts}), or a remove/reset is about
 * @param pool  the pool to ask infra-svc for before anything is installed (a new cluster with an infra section), or null
 */
public record OperationRequest(ClusterOperation operation, String cluster, String image, String clusterfile,
                               String maskedClusterfile, List<DesiredHost> desiredHosts, List<String> hosts, boolean force,
                               String requestId, String requestedBy, InfraSpec pool) {

    public OperationRequest(ClusterOperation operation, String cluster, String image, String clusterfile, String maskedClusterfile,
                            List<DesiredHost> desiredHosts, List<String> hosts, boolean force, String requestId, String requestedBy) {
        this(operation, cluster, image, clusterfile, maskedClusterfile, desiredHosts, hosts, force, requestId, requestedBy, null);
    }

    public record DesiredHost(String ip, List<String> roles) {
        public boolean master() {
            return roles.contains("master");
        }
    }
}
