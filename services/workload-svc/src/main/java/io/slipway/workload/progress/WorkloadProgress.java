package io.slipway.workload.progress;

import java.util.List;

/**
 * A workload's rollout as a person follows it: the workload's counts and phase, and where each pod stands.
 * {@code settled} once the controller has seen the newest generation and has nothing left to do.
 */
public record WorkloadProgress(String kind, String namespace, String name, long generation, long observedGeneration, String phase,
                               String message, int desired, int ready, int updated, int updatedReady, String currentRevision,
                               String updateRevision, List<PodProgress> pods, boolean settled) {
    /** One pod: its revision, whether it runs the update and is in service, and whether an in-place update is under way. */
    public record PodProgress(String name, String uid, String node, String revision, boolean updated, boolean ready,
                              boolean updatingInPlace, int restarts) {
    }
}
