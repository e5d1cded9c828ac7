package io.slipway.infra.pool;

/** A request that contradicts the pool's current state or an earlier request under the same id (409). */
public class PoolConflict extends RuntimeException {
    public PoolConflict(String message) {
        super(message);
    }
}
