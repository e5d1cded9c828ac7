package io.slipway.deploy.cluster;

import java.time.Instant;
import java.util.List;

/** A cluster as REST and the CLI show it: state, installed image, hosts with their step or error. No secrets. */
public record ClusterView(String name, String image, String imageDigest, Cluster.State state, String message, long generation,
                          String operation, boolean pending, List<HostView> hosts, Instant updatedAt, Boolean changed) {

    public record HostView(String ip, List<String> roles, ClusterHostRecord.State state, String step, String error,
                           String installedDigest) {
    }

    public static ClusterView of(Cluster c, List<ClusterHostRecord> hosts) {
        return of(c, hosts, null);
    }

    public static ClusterView of(Cluster c, List<ClusterHostRecord> hosts, Boolean changed) {
        return new ClusterView(c.name, c.image, c.imageDigest, c.state, c.message, c.generation,
                c.operation == null ? null : c.operation.label(), c.pending,
                hosts.stream().map(h -> new HostView(h.ip, List.of(h.roles.split(",")), h.state, h.step, h.error,
                        h.installedDigest)).toList(), c.updatedAt, changed);
    }
}
