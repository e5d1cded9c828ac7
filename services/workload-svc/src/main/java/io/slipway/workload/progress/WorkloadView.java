package io.slipway.workload.progress;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Reads one kind of workload's progress from a target cluster. */
public interface WorkloadView {
    /** The plural the REST path uses, as kubectl does: {@code statefulsets}, {@code broadcastjobs}, {@code sidecarsets}. */
    String plural();

    /** Empty when there is no such workload in {@code client}'s cluster. {@code namespace} is ignored for a cluster-scoped kind. */
    Optional<WorkloadProgress> progress(KubernetesClient client, String namespace, String name);
}
