package io.slipway.deploy.cluster;

import java.util.List;
import java.util.Set;

/** An operation a worker took: the cluster's desired state, its hosts, and the steps already completed. */
public record ClaimedOperation(String cluster, ClusterOperation operation, long generation, String clusterfile,
                               String imageDigest, List<String> operationHosts, boolean force, List<HostSnapshot> hosts,
                               Set<String> completedSteps, String correlationId, String traceparent) {

    public record HostSnapshot(String ip, List<String> roles, ClusterHostRecord.State state, String installedDigest) {
    }

    public static String stepKey(String ip, String step, String revision) {
        return ip + "/" + step + "/" + revision;
    }
}
