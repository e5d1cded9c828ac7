package io.slipway.workload.kruise.pod;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What a controller reads from a pod's status, as the kubelet reports it. */
public final class PodState {
    private PodState() {
    }

    public static Optional<PodCondition> condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean conditionTrue(Pod pod, String type) {
        return condition(pod, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    public static boolean ready(Pod pod) {
        return !terminating(pod) && "Running".equals(phase(pod)) && conditionTrue(pod, "Ready");
    }

    /** Ready for at least {@code minReady} (the Kubernetes definition of available). */
    public static boolean available(Pod pod, Duration minReady, Instant now) {
        if (!ready(pod)) {
            return false;
        }
        if (minReady.isZero()) {
            return true;
        }
        return condition(pod, "Ready").map(PodCondition::getLastTransitionTime).map(Instant::parse)
                .map(since -> !since.plus(minReady).isAfter(now)).orElse(false);
    }

    /** When a ready pod becomes available, or empty when it is not ready. */
    public static Optional<Instant> availableAt(Pod pod, Duration minReady) {
        if (!ready(pod)) {
            return Optional.empty();
        }
        return condition(pod, "Ready").map(PodCondition::getLastTransitionTime).map(Instant::parse).map(t -> t.plus(minReady));
    }

    public static boolean terminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    public static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    /** Succeeded or Failed: its containers will not run again. */
    public static boolean finished(Pod pod) {
        String phase = phase(pod);
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    public static List<ContainerStatus> containerStatuses(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
    }

    /** Restarts of all the pod's containers. */
    public static int restarts(Pod pod) {
        return containerStatuses(pod).stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
    }

    public static Optional<ContainerStatus> containerStatus(Pod pod, String container) {
        return containerStatuses(pod).stream().filter(s -> container.equals(s.getName())).findFirst();
    }

    public static String label(Pod pod, String key) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(key);
    }

    public static String annotation(Pod pod, String key) {
        return pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(key);
    }
}
