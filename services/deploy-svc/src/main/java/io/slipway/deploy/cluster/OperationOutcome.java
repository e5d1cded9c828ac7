package io.slipway.deploy.cluster;

import java.util.List;
import java.util.Map;

/**
 * What an operation ended with, applied in one transaction with its events: hosts that became or stayed members,
 * hosts that failed (step + reason), hosts removed, an upgrade, and the cluster's new state.
 *
 * @param clusterfile the desired Clusterfile after the operation (a failed join's hosts are taken out), or null to keep
 */
public record OperationOutcome(Cluster.State state, String message, String imageDigest, String clusterfile,
                               Map<String, String> installed, Map<String, Failure> failures, List<String> removed,
                               boolean removedCleaned, List<String> reset, Upgrade upgrade, List<String> uncleaned) {

    public record Failure(String step, String reason, boolean transientFault) {
    }

    /** This outcome with its message and failure reasons passed through {@code scrub} (a command's output may repeat a secret). */
    public OperationOutcome scrubbed(java.util.function.UnaryOperator<String> scrub) {
        Map<String, Failure> clean = new java.util.LinkedHashMap<>();
        failures.forEach((host, f) -> clean.put(host, new Failure(f.step(), scrub.apply(f.reason()), f.transientFault())));
        return new OperationOutcome(state, scrub.apply(message), imageDigest, clusterfile, installed, clean, removed, removedCleaned, reset,
                upgrade, uncleaned);
    }

    public record Upgrade(String fromDigest, String toDigest, List<String> changedLayers, long bytesSent, List<String> hooksRerun) {
    }
}
