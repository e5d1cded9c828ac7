package io.slipway.testkit.kube;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link SimulatedCluster#start(SimulationOptions)} simulates beyond the API server: a scheduler and a kubelet
 * on {@code nodes} nodes ({@code node-1} ... {@code node-<n>}), with these delays. A pod can override the delays of
 * its own containers by annotations (see {@link SimulatedKubelet}).
 *
 * @param nodes               how many nodes the cluster starts with (more can be added with {@link SimulatedCluster#addNode})
 * @param containerStartDelay from a container's creation (or in-place restart) to its running
 * @param readinessDelay      from a container's start to its readiness (a passing readiness probe)
 * @param terminationDelay    how long a deleted pod's containers take to stop, at most its grace period
 * @param jobRunDuration      how long a container of a pod with restartPolicy Never or OnFailure runs before it exits
 */
public record SimulationOptions(int nodes, Duration containerStartDelay, Duration readinessDelay, Duration terminationDelay,
                                Duration jobRunDuration) {

    public SimulationOptions {
        if (nodes < 0) {
            throw new IllegalArgumentException("nodes: not negative, not " + nodes);
        }
        checked("containerStartDelay", containerStartDelay);
        checked("readinessDelay", readinessDelay);
        checked("terminationDelay", terminationDelay);
        checked("jobRunDuration", jobRunDuration);
    }

    private static void checked(String name, Duration delay) {
        if (Objects.requireNonNull(delay, name).isNegative()) {
            throw new IllegalArgumentException(name + ": not negative, not " + delay);
        }
    }

    /** Three nodes; containers start in 50 ms, are ready 50 ms later, stop in 50 ms; job containers run for 100 ms. */
    public static SimulationOptions defaults() {
        return new SimulationOptions(3, Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(100));
    }

    public SimulationOptions withNodes(int count) {
        return new SimulationOptions(count, containerStartDelay, readinessDelay, terminationDelay, jobRunDuration);
    }

    public SimulationOptions withContainerStartDelay(Duration delay) {
        return new SimulationOptions(nodes, delay, readinessDelay, terminationDelay, jobRunDuration);
    }

    public SimulationOptions withReadinessDelay(Duration delay) {
        return new SimulationOptions(nodes, containerStartDelay, delay, terminationDelay, jobRunDuration);
    }

    public SimulationOptions withTerminationDelay(Duration delay) {
        return new SimulationOptions(nodes, containerStartDelay, readinessDelay, delay, jobRunDuration);
    }

    public SimulationOptions withJobRunDuration(Duration duration) {
        return new SimulationOptions(nodes, containerStartDelay, readinessDelay, terminationDelay, duration);
    }
}
