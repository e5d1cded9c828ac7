package io.slipway.workload.kruise.broadcastjob;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.workload.kruise.pod.PodState;
import io.slipway.workload.progress.WorkloadProgress;
import io.slipway.workload.progress.WorkloadView;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A BroadcastJob's run, read from the cluster, in the rollout's terms: desired = the nodes that fit, ready = pods
 * running or succeeded, updated = pods finished (succeeded or failed), updatedReady = pods succeeded; each pod with its node.
 * Settled once the job completed, failed or is paused.
 */
@ApplicationScoped
public class BroadcastJobView implements WorkloadView {
    @Override
    public String plural() {
        return "broadcastjobs";
    }

    @Override
    public Optional<WorkloadProgress> progress(KubernetesClient client, String namespace, String name) {
        BroadcastJob job = client.resources(BroadcastJob.class).inNamespace(namespace).withName(name).get();
        if (job == null) {
            return Optional.empty();
        }
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(BroadcastJobPods.labels(job)).list().getItems().stream()
                .sorted(Comparator.comparing((Pod p) -> String.valueOf(BroadcastJobPods.nodeOf(p))).thenComparing(p -> p.getMetadata().getName()))
                .toList();
        List<WorkloadProgress.PodProgress> progress = pods.stream().map(p -> new WorkloadProgress.PodProgress(p.getMetadata().getName(),
                p.getMetadata().getUid(), BroadcastJobPods.nodeOf(p), null,
                finished(p), PodState.ready(p), false,
                PodState.restarts(p))).toList();
        BroadcastJobStatus s = job.getStatus() == null ? new BroadcastJobStatus() : job.getStatus();
        String phase = switch (s.phase == null ? "" : s.phase) {
            case BroadcastJobStatus.COMPLETED -> "Finished";
            case BroadcastJobStatus.FAILED -> "Failed";
            case BroadcastJobStatus.PAUSED -> "Paused";
            default -> "Progressing";
        };
        String message = s.conditions.stream().filter(c -> "True".equals(c.status)).map(c -> c.reason + ": " + c.message)
                .reduce((a, b) -> b).orElse("");
        long generation = job.getMetadata().getGeneration() == null ? 0 : job.getMetadata().getGeneration();
        return Optional.of(new WorkloadProgress(BroadcastJob.KIND, namespace, name, generation, generation, phase, message, s.desired,
                s.active + s.succeeded, s.succeeded + s.failed, s.succeeded, null, null, progress, !"Progressing".equals(phase)));
    }

    private static boolean finished(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }
}
