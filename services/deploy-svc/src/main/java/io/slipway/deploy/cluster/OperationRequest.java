package io.slipway.deploy.cluster;

import java.util.List;

/**
 * A validated request for an operation. {@code clusterfile} is the full desired Clusterfile after the operation (with
 * secrets, stored only in this service's database); {@code maskedClusterfile} is what events carry.
 *
 * @param hosts the hosts a join adds (with roles in {@code desiredHosts}), or a remove/reset is about
 */
public record OperationRequest(ClusterOperation operation, String cluster, String image, String clusterfile,
                               String maskedClusterfile, List<DesiredHost> desiredHosts, List<String> hosts, boolean force,
                               String requestId, String requestedBy) {

    public record DesiredHost(String ip, List<String> roles) {
        public boolean master() {
            return roles.contains("master");
        }
    }
}
