package io.slipway.workload.kruise.broadcastjob;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.slipway.workload.kruise.pod.PodState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides what a BroadcastJob needs next, from the job, its pods and the nodes as they are: which nodes get a pod,
 * which pods go, whether the job pauses, fails, completes or is deleted, and its status. Pure: the reconciler carries
 * the plan out and looks again. Kruise's semantics (see docs/workloads.md for where they differ): one pod per node
 * the template fits, at most {@code parallelism} running, the job finished by its pods, its deadline or FailFast.
 * <p>
 * A node's failed pod is kept (as a Job keeps its failed pods) and, while the node has no more than
 * {@code restartLimit} failed pods, a new pod is made beside it; the count of failed pods on the node is the count of
 * retries, so it survives a restart of the controller with nothing stored elsewhere. A pod with restartPolicy
 * OnFailure is retried by its kubelet instead, and fails once its containers restarted more than restartLimit times.
 */
public final class BroadcastJobPlan {
    /** A pod to create on {@code node}; {@code retry} counts the node's failed pods before it. */
    public record Create(String node, int retry) {
    }

    /** A pod to delete, and why. */
    public record Delete(Pod pod, String reason) {
    }

    /**
     * What to do: pod writes, {@code pause} (set {@code spec.paused}: failurePolicy Pause met a failure), failed pods to
     * mark as having paused the job ({@code seen}), {@code deleteJob} (its TTL after finishing is over), the status to
     * write, the transition's name and reason for the ledger, and when to look again if nothing else happens.
     */
    public record Plan(List<Create> creates, List<Delete> deletes, boolean pause, List<Pod> seen, boolean deleteJob,
                       BroadcastJobStatus status, String transition, String reason, Optional<Duration> recheckAfter) {
    }

    public record Input(BroadcastJob job, List<Pod> pods, List<Node> nodes, Instant now) {
    }

    /** Where a node stands, from its live pods. */
    enum NodeState { NO_POD, TERMINATING, ACTIVE, SUCCEEDED, RETRY, FAILED }

    private record NodePods(String node, List<Pod> live, boolean terminating, Pod latest, int failures, NodeState state) {
    }

    static final String PAUSED_BY_POLICY = "PausedByFailurePolicy";

    private BroadcastJobPlan() {
    }

    public static Plan plan(Input in) {
        BroadcastJobSpec spec = in.job().getSpec();
        BroadcastJobStatus old = in.job().getStatus() == null ? new BroadcastJobStatus() : in.job().getStatus();
        String now = in.now().truncatedTo(ChronoUnit.SECONDS).toString();
        boolean always = !BroadcastJobSpec.NEVER.equals(completionType(spec));
        int restartLimit = restartLimit(spec);

        Map<String, NodePods> byNode = group(in.pods(), restartLimit);
        BroadcastJobStatus status = counts(in.pods(), restartLimit);
        status.conditions = new ArrayList<>(old.conditions == null ? List.of() : old.conditions);
        status.startTime = old.startTime == null ? now : old.startTime;
        status.completionTime = old.completionTime;

        // a Never job only finishes by failing (FailFast), as in Kruise
        if (finished(old) && (always || BroadcastJobStatus.FAILED.equals(old.phase))) {
            return finishedPlan(in, old, byNode);
        }

        // which nodes the job runs on: those with a pod that still fits, and those a new pod fits
        PodSpec template = spec.template == null || spec.template.getSpec() == null ? new PodSpec() : spec.template.getSpec();
        Map<String, NodePods> desired = new TreeMap<>();
        List<Delete> deletes = new ArrayList<>();
        Map<String, NodeFit.Misfit> unfit = new TreeMap<>();
        for (Node node : in.nodes()) {
            String name = node.getMetadata().getName();
            NodePods pods = byNode.getOrDefault(name, new NodePods(name, List.of(), false, null, 0, NodeState.NO_POD));
            if (pods.latest() != null) {
                Optional<NodeFit.Misfit> misfit = NodeFit.forPod(pods.latest().getSpec(), node);
                if (misfit.isEmpty()) {
                    desired.put(name, pods);
                } else if (pods.state() == NodeState.ACTIVE) {
                    deletes.add(new Delete(pods.latest(), "it no longer fits its node: " + misfit.get().message()));
                }
            } else {
                Optional<NodeFit.Misfit> misfit = NodeFit.forNewPod(template, node);
                if (misfit.isEmpty()) {
                    desired.put(name, pods);
                } else {
                    unfit.put(name, misfit.get());
                }
            }
        }
        status.desired = desired.size();

        List<Pod> failedPods = byNode.values().stream().filter(p -> p.state() == NodeState.FAILED).map(NodePods::latest).toList();
        String policy = failurePolicy(spec);

        if (Boolean.TRUE.equals(spec.paused)) {
            status.phase = BroadcastJobStatus.PAUSED;
            String reason = suspendedReason(old);
            String message = BroadcastJobPlan.PAUSED_BY_POLICY.equals(reason) ? suspendedMessage(old) : "spec.paused is true: no new pods";
            setCondition(status.conditions, JobCondition.SUSPENDED, "True", reason, message, now);
            List<Pod> seen = BroadcastJobSpec.PAUSE.equals(policy) ? unseen(failedPods) : List.of();
            return new Plan(List.of(), List.of(), false, seen, false, status, "JobPaused", message, Optional.empty());
        }
        resumed(status.conditions, now);

        List<Pod> unseenFailures = unseen(failedPods);
        if (BroadcastJobSpec.PAUSE.equals(policy) && !unseenFailures.isEmpty()) {
            status.phase = BroadcastJobStatus.PAUSED;
            String message = describeFailure(unseenFailures.get(0), restartLimit, byNode) + "; failurePolicy Pause paused the job"
                    + " (set spec.paused to false to resume)";
            setCondition(status.conditions, JobCondition.SUSPENDED, "True", PAUSED_BY_POLICY, message, now);
            return new Plan(List.of(), List.of(), true, unseenFailures, false, status, "JobPaused", message, Optional.empty());
        }

        String failReason = null;
        String failMessage = null;
        if (BroadcastJobSpec.FAIL_FAST.equals(policy) && !failedPods.isEmpty()) {
            Pod first = failedPods.stream().min(Comparator.comparing(p -> p.getMetadata().getName())).orElseThrow();
            failReason = restartLimit > 0 ? "RestartLimitReached" : "PodFailed";
            failMessage = describeFailure(first, restartLimit, byNode) + "; failurePolicy FailFast failed the job";
        }
        Instant deadline = always && spec.completionPolicy != null && spec.completionPolicy.activeDeadlineSeconds != null
                ? Instant.parse(status.startTime).plusSeconds(spec.completionPolicy.activeDeadlineSeconds) : null;
        if (failReason == null && deadline != null && !in.now().isBefore(deadline)) {
            failReason = "DeadlineExceeded";
            failMessage = "the job ran longer than its activeDeadlineSeconds (" + spec.completionPolicy.activeDeadlineSeconds
                    + "s from " + status.startTime + ")";
        }
        if (failReason != null) {
            return failedPlan(in, status, byNode, failReason, failMessage, now);
        }

        // running: new pods within parallelism, retries first
        int parallelism = parallelism(spec.parallelism, status.desired);
        int budget = Math.max(0, parallelism - status.active);
        List<Create> creates = new ArrayList<>();
        for (NodeState wanted : List.of(NodeState.RETRY, NodeState.NO_POD)) {
            for (NodePods p : desired.values()) {
                if (p.state() == wanted && creates.size() < budget) {
                    creates.add(new Create(p.node(), p.failures()));
                }
            }
        }
        if (status.desired == 0) {
            String message = in.nodes().isEmpty() ? "the cluster has no nodes" : "no node fits the template: " + summary(unfit);
            setCondition(status.conditions, JobCondition.STALLED, "True", "NoEligibleNode", message, now);
        } else if (status.conditions.stream().anyMatch(c -> JobCondition.STALLED.equals(c.type))) {
            setCondition(status.conditions, JobCondition.STALLED, "False", "EligibleNodes", status.desired + " node(s) fit the template", now);
        }
        boolean allDone = desired.values().stream().allMatch(p -> p.state() == NodeState.SUCCEEDED || p.state() == NodeState.FAILED);
        if (always && status.desired > 0 && allDone && creates.isEmpty()) {
            status.phase = BroadcastJobStatus.COMPLETED;
            status.completionTime = now;
            String message = "Job completed, " + status.succeeded + " pods succeeded, " + status.failed + " pods failed";
            setCondition(status.conditions, JobCondition.COMPLETE, "True", JobCondition.COMPLETE, message, now);
            return new Plan(List.of(), deletes, false, List.of(), false, status, "JobCompleted", message, ttl(spec, status, in.now()));
        }
        status.phase = BroadcastJobStatus.RUNNING;
        String reason = status.desired == 0 ? stalledMessage(status) : status.desired + " node(s) fit the template: " + status.active
                + " pod(s) active, " + status.succeeded + " succeeded, " + status.failed + " failed";
        Optional<Duration> recheck = deadline == null ? Optional.empty() : Optional.of(Duration.between(in.now(), deadline));
        return new Plan(creates, deletes, false, List.of(), false, status, "JobRunning", reason, recheck);
    }

    private static Plan finishedPlan(Input in, BroadcastJobStatus old, Map<String, NodePods> byNode) {
        boolean failed = BroadcastJobStatus.FAILED.equals(old.phase) || conditionTrue(old, JobCondition.FAILED);
        List<Delete> deletes = new ArrayList<>();
        for (NodePods p : byNode.values()) {
            for (Pod pod : p.live()) {
                boolean active = !PodState.finished(pod);
                boolean overLimit = active && overRestartLimit(pod, restartLimit(in.job().getSpec()));
                if (overLimit || (failed && active)) {
                    deletes.add(new Delete(pod, "the job " + (failed ? "failed" : "completed")));
                }
            }
        }
        boolean deleteJob = false;
        Optional<Duration> recheck = ttl(in.job().getSpec(), old, in.now());
        if (recheck.isPresent() && recheck.get().isZero()) {
            deleteJob = true;
            recheck = Optional.empty();
        }
        JobCondition finish = old.conditions.stream().filter(c -> "True".equals(c.status)
                && (JobCondition.COMPLETE.equals(c.type) || JobCondition.FAILED.equals(c.type))).findFirst().orElseThrow();
        return new Plan(List.of(), deletes, false, List.of(), deleteJob, old, failed ? "JobFailed" : "JobCompleted", finish.message, recheck);
    }

    private static Plan failedPlan(Input in, BroadcastJobStatus status, Map<String, NodePods> byNode, String reason, String message,
                                   String now) {
        List<Delete> deletes = new ArrayList<>();
        for (NodePods p : byNode.values()) {
            for (Pod pod : p.live()) {
                if (!PodState.finished(pod)) {
                    deletes.add(new Delete(pod, "the job failed: " + reason));
                    if (!overRestartLimit(pod, restartLimit(in.job().getSpec()))) {
                        status.active--;
                        status.failed++; // as Kruise counts a pod it deletes when its job fails
                    }
                }
            }
        }
        status.phase = BroadcastJobStatus.FAILED;
        status.completionTime = now;
        String full = message + ": " + status.succeeded + " pods succeeded, " + status.failed + " pods failed";
        setCondition(status.conditions, JobCondition.FAILED, "True", reason, full, now);
        return new Plan(List.of(), deletes, false, List.of(), false, status, "JobFailed", full, ttl(in.job().getSpec(), status, in.now()));
    }

    /** The time left before a finished job is deleted: zero when due, empty without a TTL or while not finished. */
    private static Optional<Duration> ttl(BroadcastJobSpec spec, BroadcastJobStatus status, Instant now) {
        if (spec.completionPolicy == null || spec.completionPolicy.ttlSecondsAfterFinished == null || status.completionTime == null) {
            return Optional.empty();
        }
        Instant due = Instant.parse(status.completionTime).plusSeconds(spec.completionPolicy.ttlSecondsAfterFinished);
        return Optional.of(now.isBefore(due) ? Duration.between(now, due) : Duration.ZERO);
    }

    /**
     * Pods by the node they are bound to, and where each node stands. Read from all of its live pods, not from the
     * newest (creation times have a resolution of a second, so a retry and the pod it replaces may tie): a running
     * pod makes the node active, else a succeeded one makes it done, else its failures decide.
     */
    private static Map<String, NodePods> group(List<Pod> pods, int restartLimit) {
        Map<String, List<Pod>> byNode = new LinkedHashMap<>();
        for (Pod p : pods) {
            String node = BroadcastJobPods.nodeOf(p);
            if (node != null) {
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(p);
            }
        }
        Map<String, NodePods> result = new TreeMap<>();
        byNode.forEach((node, list) -> {
            List<Pod> live = list.stream().filter(p -> !PodState.terminating(p))
                    .sorted(Comparator.comparing((Pod p) -> created(p)).thenComparing(p -> p.getMetadata().getName())).toList();
            boolean terminating = live.size() < list.size();
            int failures = (int) live.stream().filter(p -> "Failed".equals(PodState.phase(p))).count();
            Pod running = last(live.stream().filter(p -> !PodState.finished(p)).toList());
            Pod succeeded = last(live.stream().filter(p -> "Succeeded".equals(PodState.phase(p))).toList());
            Pod latest = running != null ? running : succeeded != null ? succeeded : last(live);
            NodeState state;
            if (latest == null) {
                state = terminating ? NodeState.TERMINATING : NodeState.NO_POD;
            } else if (running != null) {
                state = overRestartLimit(running, restartLimit) ? NodeState.FAILED : NodeState.ACTIVE;
            } else if (succeeded != null) {
                state = NodeState.SUCCEEDED;
            } else {
                state = !onFailure(latest) && failures <= restartLimit ? NodeState.RETRY : NodeState.FAILED;
            }
            result.put(node, new NodePods(node, live, terminating, latest, failures, state));
        });
        return result;
    }

    private static Pod last(List<Pod> pods) {
        return pods.isEmpty() ? null : pods.get(pods.size() - 1);
    }

    /** Kruise's counts: pods running, pods Succeeded, pods Failed or past their restart limit. */
    private static BroadcastJobStatus counts(List<Pod> pods, int restartLimit) {
        BroadcastJobStatus s = new BroadcastJobStatus();
        for (Pod p : pods) {
            String phase = PodState.phase(p);
            if ("Succeeded".equals(phase)) {
                s.succeeded++;
            } else if ("Failed".equals(phase) || (!PodState.terminating(p) && overRestartLimit(p, restartLimit))) {
                s.failed++;
            } else if (!PodState.terminating(p)) {
                s.active++;
            }
        }
        return s;
    }

    /** A pod its kubelet restarts (OnFailure) that restarted more than restartLimit times, as Kruise's isPodFailed. */
    static boolean overRestartLimit(Pod pod, int restartLimit) {
        if (!onFailure(pod) || PodState.finished(pod)) {
            return false;
        }
        int restarts = 0;
        if (pod.getStatus() != null) {
            for (var s : pod.getStatus().getInitContainerStatuses() == null ? List.<io.fabric8.kubernetes.api.model.ContainerStatus>of()
                    : pod.getStatus().getInitContainerStatuses()) {
                restarts += s.getRestartCount() == null ? 0 : s.getRestartCount();
            }
        }
        for (var s : PodState.containerStatuses(pod)) {
            restarts += s.getRestartCount() == null ? 0 : s.getRestartCount();
        }
        return restarts > restartLimit;
    }

    private static boolean onFailure(Pod pod) {
        return pod.getSpec() != null && "OnFailure".equals(pod.getSpec().getRestartPolicy());
    }

    private static String describeFailure(Pod pod, int restartLimit, Map<String, NodePods> byNode) {
        String node = BroadcastJobPods.nodeOf(pod);
        String what = "pod " + pod.getMetadata().getName() + " on node " + node;
        if (onFailure(pod)) {
            return what + (PodState.finished(pod) ? " failed" : " restarted more than its restartLimit (" + restartLimit + ") allows");
        }
        int failures = byNode.containsKey(node) ? byNode.get(node).failures() : 1;
        return what + " failed" + (restartLimit > 0 ? " after " + (failures - 1) + " retries (restartLimit " + restartLimit + " reached)" : "");
    }

    private static List<Pod> unseen(List<Pod> failed) {
        return failed.stream().filter(p -> PodState.annotation(p, BroadcastJobPods.FAILURE_SEEN_ANNOTATION) == null).toList();
    }

    /** Kruise's: a percent of the desired pods rounded up, or a number; no limit when absent. */
    static int parallelism(IntOrString value, int desired) {
        if (value == null) {
            return Integer.MAX_VALUE;
        }
        if (value.getIntVal() != null) {
            return Math.max(0, value.getIntVal());
        }
        String s = value.getStrVal().trim();
        if (s.endsWith("%")) {
            int percent = Integer.parseInt(s.substring(0, s.length() - 1).trim());
            return (int) Math.ceil(desired * percent / 100.0);
        }
        return Math.max(0, Integer.parseInt(s));
    }

    static String completionType(BroadcastJobSpec spec) {
        return spec.completionPolicy == null || spec.completionPolicy.type == null || spec.completionPolicy.type.isEmpty()
                ? BroadcastJobSpec.ALWAYS : spec.completionPolicy.type;
    }

    static String failurePolicy(BroadcastJobSpec spec) {
        return spec.failurePolicy == null || spec.failurePolicy.type == null || spec.failurePolicy.type.isEmpty()
                ? BroadcastJobSpec.FAIL_FAST : spec.failurePolicy.type;
    }

    static int restartLimit(BroadcastJobSpec spec) {
        return spec.failurePolicy == null || spec.failurePolicy.restartLimit == null ? 0 : Math.max(0, spec.failurePolicy.restartLimit);
    }

    /** Finished as Kruise reads it: a Complete or Failed condition that is True. */
    static boolean finished(BroadcastJobStatus status) {
        return conditionTrue(status, JobCondition.COMPLETE) || conditionTrue(status, JobCondition.FAILED);
    }

    private static boolean conditionTrue(BroadcastJobStatus status, String type) {
        return status.conditions != null && status.conditions.stream().anyMatch(c -> type.equals(c.type) && "True".equals(c.status));
    }

    private static String suspendedReason(BroadcastJobStatus old) {
        return old.conditions.stream().filter(c -> JobCondition.SUSPENDED.equals(c.type) && "True".equals(c.status)).map(c -> c.reason)
                .findFirst().orElse("Paused");
    }

    private static String suspendedMessage(BroadcastJobStatus old) {
        return old.conditions.stream().filter(c -> JobCondition.SUSPENDED.equals(c.type)).map(c -> c.message).findFirst().orElse("");
    }

    private static void resumed(List<JobCondition> conditions, String now) {
        if (conditions.stream().anyMatch(c -> JobCondition.SUSPENDED.equals(c.type) && "True".equals(c.status))) {
            setCondition(conditions, JobCondition.SUSPENDED, "False", "Resumed", "spec.paused is false", now);
        }
    }

    private static String stalledMessage(BroadcastJobStatus status) {
        return status.conditions.stream().filter(c -> JobCondition.STALLED.equals(c.type)).map(c -> c.message).findFirst().orElse("");
    }

    /** How many nodes failed each check, nearest misses first, each with its first node's reason. */
    private static String summary(Map<String, NodeFit.Misfit> unfit) {
        Map<NodeFit.Check, List<NodeFit.Misfit>> byCheck = new TreeMap<>();
        unfit.values().forEach(m -> byCheck.computeIfAbsent(m.check(), c -> new ArrayList<>()).add(m));
        List<String> parts = new ArrayList<>();
        byCheck.forEach((check, misfits) -> parts.add(misfits.size() == 1 ? misfits.get(0).message()
                : misfits.size() + " nodes " + check.nodes + " (" + misfits.get(0).message() + ", ...)"));
        return String.join("; ", parts);
    }

    private static Instant created(Pod p) {
        String t = p.getMetadata().getCreationTimestamp();
        return t == null ? Instant.MAX : Instant.parse(t); // not yet read back: the newest
    }

    /** Sets a condition; its times change only when its status, reason or message does. */
    static void setCondition(List<JobCondition> conditions, String type, String status, String reason, String message, String now) {
        JobCondition old = conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
        if (old != null && status.equals(old.status) && java.util.Objects.equals(reason, old.reason)
                && java.util.Objects.equals(message, old.message)) {
            return;
        }
        JobCondition c = new JobCondition(type, status, reason, message, now);
        if (old != null && status.equals(old.status)) {
            c.lastTransitionTime = old.lastTransitionTime;
        }
        conditions.removeIf(x -> type.equals(x.type));
        conditions.add(c);
    }
}
