package io.slipway.workload.ledger;

import java.util.Map;

/**
 * One look at a workload: its pods (name to uid and revision), its update revision and what its rollout is doing.
 * The ledger turns the difference from the previous look into events, named in the workload's {@link Words}.
 */
public record Observation(String uid, String kind, String namespace, String name, long generation, Map<String, PodSeen> pods,
                          String revision, String phase, String reason, Words words, Map<String, Mark> marks) {
    public Observation(String uid, String kind, String namespace, String name, long generation, Map<String, PodSeen> pods,
                       String revision, String phase, String reason, Words words) {
        this(uid, kind, namespace, name, generation, pods, revision, phase, reason, words, Map.of());
    }

    public Observation(String uid, String kind, String namespace, String name, long generation, Map<String, PodSeen> pods,
                       String revision, String phase, String reason) {
        this(uid, kind, namespace, name, generation, pods, revision, phase, reason, Words.PODS);
    }

    public record PodSeen(String uid, String revision) {
    }

    /**
     * A fact about a workload other than its pods, under a key of its own (a CronHPA job's last handled fire): when its
     * {@code value} differs from the one last recorded, {@code transition} is published once, with {@code reason}.
     */
    public record Mark(String value, String transition, String reason) {
    }

    /**
     * What a pod's changes are called for this kind: a workload's own pods are created, updated in place, recreated
     * and deleted; a SidecarSet's matched pods get its sidecars injected and upgraded. A null name is not reported.
     */
    public record Words(String created, String updatedInPlace, String recreated, String deleted) {
        public static final Words PODS = new Words("PodCreated", "PodUpdatedInPlace", "PodRecreated", "PodDeleted");
    }
}
