package io.slipway.infra.pool;

/** Provisioning a pool stops: it was deleted (or failed) meanwhile and no longer wants nodes. */
public class PoolCancelled extends RuntimeException {
    public PoolCancelled(String poolId, String state) {
        super("pool " + poolId + " no longer wants nodes (" + state + ")");
    }
}
