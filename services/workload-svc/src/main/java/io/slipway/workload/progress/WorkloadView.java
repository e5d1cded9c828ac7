package io.slipway.workload.progress;

import java.util.Optional;

/** Reads one kind of workload's progress from the target cluster. */
public interface WorkloadView {
    /** The plural the REST path uses, as kubectl does: {@code statefulsets}, {@code broadcastjobs}, {@code sidecarsets}. */
    String plural();

    /** Empty when there is no such workload. {@code namespace} is ignored for a cluster-scoped kind. */
    Optional<WorkloadProgress> progress(String namespace, String name);
}
