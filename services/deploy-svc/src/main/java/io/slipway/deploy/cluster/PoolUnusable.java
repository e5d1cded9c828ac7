package io.slipway.deploy.cluster;

/** A ready pool whose nodes deploy-svc cannot log in to (the reason says what to give); the cluster fails with it. */
public class PoolUnusable extends RuntimeException {
    public PoolUnusable(String message) {
        super(message);
    }
}
