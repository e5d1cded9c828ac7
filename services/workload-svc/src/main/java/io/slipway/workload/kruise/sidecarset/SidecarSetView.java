package io.slipway.workload.kruise.sidecarset;

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

/**
 * A SidecarSet's upgrade, read from the cluster: desired = matched pods, ready/updated/updatedReady as its status
 * counts them, each pod it injected (as {@code <namespace>/<name>}) with the ControllerRevision it runs. Cluster-scoped:
 * the namespace in the path is ignored.
 */
@ApplicationScoped
public class SidecarSetView implements WorkloadView {
    @Override
    public String plural() {
        return "sidecarsets";
    }

    @Override
    public Optional<WorkloadProgress> progress(KubernetesClient client, String namespace, String name) {
        SidecarSet set = client.resources(SidecarSet.class).withName(name).get();
        if (set == null) {
            return Optional.empty();
        }
        SidecarSetStatus s = set.getStatus() == null ? new SidecarSetStatus() : set.getStatus();
        String latest = s.latestRevision;
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems().stream().filter(p -> PodSidecars.injectedBy(p).contains(name))
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace()).thenComparing(p -> p.getMetadata().getName())).toList();
        List<WorkloadProgress.PodProgress> progress = pods.stream().map(p -> {
            String revision = PodSidecars.controllerRevision(p, name);
            return new WorkloadProgress.PodProgress(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p.getMetadata().getUid(),
                    p.getSpec() == null ? null : p.getSpec().getNodeName(), revision, latest != null && latest.equals(revision), PodState.ready(p),
                    InPlaceUpdate.inProgress(p),
                    PodState.restarts(p));
        }).toList();
        RolloutPhase phase = RolloutPhase.of(s.conditions);
        long generation = set.getMetadata().getGeneration() == null ? 0 : set.getMetadata().getGeneration();
        long observed = s.observedGeneration == null ? 0 : s.observedGeneration;
        return Optional.of(new WorkloadProgress(SidecarSet.KIND, "", name, generation, observed, phase.phase(), phase.message(),
                n(s.matchedPods), n(s.readyPods), n(s.updatedPods), n(s.updatedReadyPods), null, latest, progress,
                observed >= generation && phase.settles()));
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
