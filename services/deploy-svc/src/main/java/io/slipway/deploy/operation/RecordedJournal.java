package io.slipway.deploy.operation;

import io.slipway.backbone.BlockingCalls;
import io.slipway.deploy.cluster.ClaimedOperation;
import io.slipway.deploy.cluster.ClusterProgress;
import io.slipway.deploy.cluster.ClusterProgress.ProgressEvent;
import io.slipway.deploy.cluster.Clusters;
import io.slipway.deploy.install.HostStep;
import io.slipway.deploy.install.StepJournal;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The installer's journal backed by the Cluster aggregate: each step start, completion and failure is a row and an
 * event (one transaction), then a progress line. Completed steps loaded at claim time are what a resumed operation skips.
 */
final class RecordedJournal implements StepJournal {
    private final Clusters clusters;
    private final ClusterProgress progress;
    private final String cluster;
    private final long generation;
    private final Set<String> completed = ConcurrentHashMap.newKeySet();

    RecordedJournal(Clusters clusters, ClusterProgress progress, ClaimedOperation op) {
        this.clusters = clusters;
        this.progress = progress;
        this.cluster = op.cluster();
        this.generation = op.generation();
        this.completed.addAll(op.completedSteps());
    }

    @Override
    public boolean completed(String host, HostStep step, String revision) {
        return completed.contains(ClaimedOperation.stepKey(host, step.label(), revision));
    }

    @Override
    public void started(String host, HostStep step, String revision) {
        BlockingCalls.await(() -> clusters.stepStarted(cluster, generation, host, step.label(), revision));
        progress.publish(new ProgressEvent(cluster, host, step.label(), "Started", null, Instant.now()));
    }

    @Override
    public void completed(String host, HostStep step, String revision, StepResult result) {
        BlockingCalls.await(() -> clusters.stepCompleted(cluster, generation, host, step.label(), revision, result.detail(),
                result.bytesSent(), result.skipped(), result.durationMillis()));
        completed.add(ClaimedOperation.stepKey(host, step.label(), revision));
        progress.publish(new ProgressEvent(cluster, host, step.label(), result.skipped() ? "Skipped" : "Completed",
                result.detail(), Instant.now()));
    }

    @Override
    public void failed(String host, HostStep step, String revision, String reason, boolean transientFault) {
        BlockingCalls.await(() -> clusters.stepFailed(cluster, generation, host, step.label(), revision, reason, transientFault));
        progress.publish(new ProgressEvent(cluster, host, step.label(), "Failed", reason, Instant.now()));
    }
}
