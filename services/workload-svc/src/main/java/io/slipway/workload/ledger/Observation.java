package io.slipway.workload.ledger;

import java.util.Map;

/**
 * One look at a workload: its pods (name to uid and revision), its update revision and what its rollout is doing.
 * The ledger turns the difference from the previous look into events.
 */
public record Observation(String uid, String kind, String namespace, String name, long generation, Map<String, PodSeen> pods,
                          String revision, String phase, String reason) {
    public record PodSeen(String uid, String revision) {
    }
}
