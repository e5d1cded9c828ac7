package io.slipway.bench.provision;

import java.util.Map;

/**
 * One strategy's run on one seed, from the simulated region's own record.
 *
 * @param readySeconds     from the start until every node of the plan answered SSH (NaN when the run gave up)
 * @param ipsKnownSeconds  when every node's address was known (the sealer-like strategy's own "done"); NaN otherwise
 * @param floorRunning     the slowest of the pool's final nodes reaching Running, from the start
 * @param floorSshReady    the slowest of the pool's final nodes answering SSH, from the start
 * @param calls            API calls per action, failed and throttled ones included
 * @param throttled        calls answered RequestLimitExceeded
 * @param duplicated       instances alive beyond what the plan wants (made twice)
 * @param leaked           instances alive that no plan wants
 */
public record Outcome(double readySeconds, double ipsKnownSeconds, double floorRunning, double floorSshReady,
                      Map<String, Long> calls, long throttled, int duplicated, int leaked) {

    public long totalCalls() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }
}
