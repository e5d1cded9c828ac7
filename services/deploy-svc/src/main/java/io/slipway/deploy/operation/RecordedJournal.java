package io.slipway.deploy.operation;

import io.slipway.backbone.BlockingCalls;
import io.slipway.deploy.cluster.ClaimedOperation;
import io.slipway.deploy.cluster.ClusterProgress;
import io.slipway.deploy.cluster.ClusterProgress.ProgressEvent;
import io.slipway.deploy.cluster.HostStepJournal;
import io.slipway.deploy.install.HostStep;
import io.slipway.deploy.install.StepJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The installer's journal backed by the Cluster aggregate: each step start, completion and failure is a row and an
 * event (one transaction), then a progress line. Completed steps loaded at claim time are what a resumed operation skips.
 */
final class RecordedJournal implements StepJournal {
    private final HostStepJournal journal;
    private final ClusterProgress progress;
    private final String cluster;
    private final long generation;
    private final Set<String> completed = ConcurrentHashMap.newKeySet();
    private final UnaryOperator<String> scrub;
    private final DeployMetrics metrics;
    /** The worker holding the operation: a journal write of a worker that lost it is refused ({@code ClaimLost}). */
    private final String worker;
    /** When each running step started, by host and step, for the time of one that fails. */
    private final Map<String, Long> startedAt = new ConcurrentHashMap<>();

    /** {@code scrub} takes the cluster's secrets out of what a step says (a failed command's output may repeat one). */
    RecordedJournal(HostStepJournal journal, ClusterProgress progress, ClaimedOperation op, String worker, UnaryOperator<String> scrub,
                    DeployMetrics metrics) {
        this.worker = worker;
        this.scrub = scrub;
        this.metrics = metrics;
        this.journal = journal;
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
        startedAt.put(host + " " + step.label(), System.nanoTime());
        BlockingCalls.await(() -> journal.started(cluster, generation, worker, host, step.label(), revision));
        progress.publish(new ProgressEvent(cluster, host, step.label(), "Started", null, Instant.now()));
    }

    @Override
    public void completed(String host, HostStep step, String revision, StepResult result) {
        String detail = scrub.apply(result.detail());
        BlockingCalls.await(() -> journal.completed(cluster, generation, worker, host, step.label(), revision, detail,
                result.bytesSent(), result.skipped(), result.durationMillis()));
        completed.add(ClaimedOperation.stepKey(host, step.label(), revision));
        startedAt.remove(host + " " + step.label());
        metrics.step(step.label(), host, result.skipped() ? "skipped" : "completed", Duration.ofMillis(result.durationMillis()));
        metrics.sent(host, result.bytesSent());
        progress.publish(new ProgressEvent(cluster, host, step.label(), result.skipped() ? "Skipped" : "Completed",
                detail, Instant.now()));
    }

    @Override
    public void failed(String host, HostStep step, String revision, String reason, boolean transientFault) {
        String said = scrub.apply(reason);
        Long since = startedAt.remove(host + " " + step.label());
        metrics.step(step.label(), host, "failed", since == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since));
        BlockingCalls.await(() -> journal.failed(cluster, generation, worker, host, step.label(), revision, said, transientFault));
        progress.publish(new ProgressEvent(cluster, host, step.label(), "Failed", said, Instant.now()));
    }
}
