package io.slipway.deploy.cluster;

/** What an operation does to a cluster (sealer's run/apply, join, delete of hosts, reset, delete --all). */
public enum ClusterOperation {
    RUN, APPLY, JOIN, REMOVE, RESET, DELETE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
