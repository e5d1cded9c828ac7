package io.slipway.provision.run;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link Provisioner}'s runs cost the provider: API calls per action ({@code create}, {@code describe},
 * {@code release}, {@code list}), how many were throttled, how many calls were retries, how many creates fell short,
 * how many nodes failed and were replaced.
 */
public final class ProvisionStats {
    public static final String CREATE = "create";
    public static final String DESCRIBE = "describe";
    public static final String RELEASE = "release";
    public static final String LIST = "list";

    private final Map<String, Long> calls = new TreeMap<>();
    private long throttled;
    private long retries;
    private long shortfalls;
    private long failedNodes;

    synchronized void called(String action) {
        calls.merge(action, 1L, Long::sum);
    }

    synchronized void throttledCall() {
        throttled++;
    }

    synchronized void retry() {
        retries++;
    }

    synchronized void shortfall() {
        shortfalls++;
    }

    synchronized void failedNode() {
        failedNodes++;
    }

    public synchronized long calls(String action) {
        return calls.getOrDefault(action, 0L);
    }

    public synchronized long totalCalls() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized Map<String, Long> callsByAction() {
        return Map.copyOf(calls);
    }

    public synchronized long throttled() {
        return throttled;
    }

    public synchronized long retries() {
        return retries;
    }

    public synchronized long shortfalls() {
        return shortfalls;
    }

    public synchronized long failedNodes() {
        return failedNodes;
    }

    @Override
    public synchronized String toString() {
        return "calls=" + calls + " throttled=" + throttled + " retries=" + retries + " shortfalls=" + shortfalls
                + " failedNodes=" + failedNodes;
    }
}
