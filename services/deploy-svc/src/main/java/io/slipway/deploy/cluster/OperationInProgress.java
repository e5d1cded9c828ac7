package io.slipway.deploy.cluster;

/** A second operation on a cluster whose current one has not finished: 409, try again when it settles. */
public class OperationInProgress extends RuntimeException {
    public OperationInProgress(String cluster, ClusterOperation running) {
        super("cluster " + cluster + " is busy with " + running.label() + "; wait until it settles (slipway status "
                + cluster + " --watch)");
    }
}
