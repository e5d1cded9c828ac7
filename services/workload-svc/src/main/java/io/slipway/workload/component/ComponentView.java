package io.slipway.workload.component;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import io.slipway.workload.progress.WorkloadProgress;
import io.slipway.workload.progress.WorkloadView;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Component as a person follows it: its phase and release, and its pods with the revision each runs. Settled when the
 * controller has seen the newest generation and waits for nothing but a person: Ready, Aborted, Invalid, Unmanaged,
 * or Paused with no timed step pending.
 */
@ApplicationScoped
public class ComponentView implements WorkloadView {
    private static final Set<String> SETTLED = Set.of("Ready", "Aborted", "Invalid", "Unmanaged");
    @Override
    public String plural() {
        return "components";
    }

    @Override
    public Optional<WorkloadProgress> progress(KubernetesClient client, String namespace, String name) {
        Component c = client.resources(Component.class).inNamespace(namespace).withName(name).get();
        if (c == null) {
            return Optional.empty();
        }
        ComponentStatus s = c.getStatus() == null ? new ComponentStatus() : c.getStatus();
        ComponentStatus.ReleaseStatus release = s.release == null ? new ComponentStatus.ReleaseStatus() : s.release;
        String update = release.revision;
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel(ComponentRender.NAME_LABEL, name).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        List<WorkloadProgress.PodProgress> progress = pods.stream().map(p -> {
            // the revision label changes with the image in an in-place update, and a recreated pod has its template's
            String running = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(ComponentRender.REVISION_LABEL);
            return new WorkloadProgress.PodProgress(p.getMetadata().getName(), p.getMetadata().getUid(), p.getSpec().getNodeName(), running,
                    update != null && update.equals(running), PodState.ready(p), InPlaceUpdate.inProgress(p), PodState.restarts(p));
        }).toList();
        long generation = Objects.requireNonNullElse(c.getMetadata().getGeneration(), 0L);
        long observed = Objects.requireNonNullElse(s.observedGeneration, 0L);
        String phase = s.phase == null ? "Pending" : s.phase;
        boolean waitsForAPerson = "Paused".equals(phase) && (s.message == null || !s.message.contains("goes on at"));
        boolean settled = observed >= generation && (SETTLED.contains(phase) || waitsForAPerson);
        int updatedReady = (int) progress.stream().filter(p -> p.updated() && p.ready()).count();
        int updated = (int) progress.stream().filter(WorkloadProgress.PodProgress::updated).count();
        return Optional.of(new WorkloadProgress(Component.KIND, namespace, name, generation, observed, phase, s.message,
                s.replicas == null ? 0 : s.replicas, s.readyReplicas == null ? 0 : s.readyReplicas, updated, updatedReady,
                release.stableRevision, update, progress, settled));
    }
}
