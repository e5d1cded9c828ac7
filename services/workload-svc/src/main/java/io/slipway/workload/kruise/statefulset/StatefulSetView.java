package io.slipway.workload.kruise.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import io.slipway.workload.progress.RolloutPhase;
import io.slipway.workload.progress.WorkloadProgress;
import io.slipway.workload.progress.WorkloadView;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** An Advanced StatefulSet's rollout, read from the cluster. */
@ApplicationScoped
public class StatefulSetView implements WorkloadView {
    @Override
    public String plural() {
        return "statefulsets";
    }

    @Override
    public Optional<WorkloadProgress> progress(KubernetesClient client, String namespace, String name) {
        AdvancedStatefulSet set = client.resources(AdvancedStatefulSet.class).inNamespace(namespace).withName(name).get();
        if (set == null) {
            return Optional.empty();
        }
        String uid = set.getMetadata().getUid();
        var selector = set.getSpec().selector == null || set.getSpec().selector.getMatchLabels() == null ? java.util.Map.<String, String>of()
                : set.getSpec().selector.getMatchLabels();
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                .filter(p -> StatefulSetReconciler.ownedBy(p.getMetadata().getOwnerReferences(), uid))
                .sorted(Comparator.comparingInt(p -> StatefulSetRollout.ordinalOf(name, p))).toList();
        StatefulSetStatus s = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
        String update = s.updateRevision;
        List<WorkloadProgress.PodProgress> progress = pods.stream().map(p -> new WorkloadProgress.PodProgress(p.getMetadata().getName(),
                p.getMetadata().getUid(), p.getSpec().getNodeName(), StatefulSetRollout.revisionOf(p),
                update != null && update.equals(StatefulSetRollout.revisionOf(p)), PodState.ready(p), InPlaceUpdate.inProgress(p),
                PodState.restarts(p))).toList();
        RolloutPhase phase = RolloutPhase.of(s.conditions);
        long generation = set.getMetadata().getGeneration() == null ? 0 : set.getMetadata().getGeneration();
        long observed = s.observedGeneration == null ? 0 : s.observedGeneration;
        int desired = set.getSpec().replicas == null ? 1 : set.getSpec().replicas;
        boolean settled = observed >= generation && phase.settles();
        return Optional.of(new WorkloadProgress(AdvancedStatefulSet.KIND, namespace, name, generation, observed, phase.phase(), phase.message(), desired,
                n(s.readyReplicas), n(s.updatedReplicas), n(s.updatedReadyReplicas), s.currentRevision, update, progress, settled));
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
