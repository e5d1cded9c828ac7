package io.slipway.workload.kruise.statefulset;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.slipway.workload.kruise.Revisions;
import io.slipway.workload.kruise.pod.InPlaceUpdate;
import io.slipway.workload.kruise.pod.PodState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what an Advanced StatefulSet's pods need next, from the set and the pods as they are: which ordinals to
 * create, which pods to delete, which to update in place and which in-place updates have finished. Pure: the
 * reconciler carries the plan out and reads the world again. Kruise's semantics, with the budget of unavailable pods
 * counted per pod (a pod back in service frees its share at once) and honoured under OrderedReady too.
 */
public final class StatefulSetRollout {
    public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    public static final String RECREATE = "ReCreate";
    public static final String IN_PLACE_IF_POSSIBLE = "InPlaceIfPossible";
    public static final String IN_PLACE_ONLY = "InPlaceOnly";

    /** A pod to create at {@code ordinal} from the template of {@code revision}. */
    public record Create(int ordinal, String revision) {
    }

    /** A pod to delete, and why (scale-down, recreate for an update, or its containers finished). */
    public record Delete(Pod pod, String reason) {
    }

    /** A pod to update in place to {@code revision}: close its gate, and when {@code applyNow} change its images too. */
    public record InPlace(Pod pod, InPlaceUpdate.Diff diff, String revision, boolean applyNow) {
    }

    /** What the rollout as a whole is doing, for status conditions and events. */
    public enum Phase { PROGRESSING, PAUSED, BLOCKED, FINISHED }

    public record Plan(List<Create> creates, List<Delete> deletes, List<InPlace> inPlace, List<Pod> openGates,
                       StatefulSetStatus status, Phase phase, String reason, Optional<Duration> recheckAfter) {
    }

    public record Input(AdvancedStatefulSet set, List<Pod> pods, String currentRevision, String updateRevision,
                        Map<String, PodTemplateSpec> templates, Instant now) {
    }

    private StatefulSetRollout() {
    }

    public static Plan plan(Input in) {
        StatefulSetSpec spec = in.set().getSpec();
        int replicas = spec.replicas == null ? 1 : spec.replicas;
        TreeSet<Integer> desired = desiredOrdinals(spec, replicas);
        String name = in.set().getMetadata().getName();
        TreeMap<Integer, Pod> byOrdinal = new TreeMap<>();
        for (Pod p : in.pods()) {
            int ordinal = ordinalOf(name, p);
            if (ordinal >= 0) {
                byOrdinal.merge(ordinal, p, (a, b) -> PodState.terminating(a) ? b : a);
            }
        }
        Duration minReady = Duration.ofSeconds(rolling(spec).minReadySeconds == null ? 0 : rolling(spec).minReadySeconds);
        boolean parallel = "Parallel".equals(spec.podManagementPolicy);
        List<Create> creates = new ArrayList<>();
        List<Delete> deletes = new ArrayList<>();
        List<InPlace> inPlace = new ArrayList<>();
        List<Pod> openGates = new ArrayList<>();
        Duration recheck = null;

        // pods that need nothing but their gate opened: new ones, and finished in-place updates
        for (Pod p : byOrdinal.values()) {
            if (PodState.terminating(p)) {
                continue;
            }
            if (InPlaceUpdate.gateUnset(p)
                    || (InPlaceUpdate.inProgress(p) && in.updateRevision().equals(revisionOf(p)) && InPlaceUpdate.completed(p))) {
                openGates.add(p);
            }
        }

        // finished pods are replaced, as StatefulSet does
        for (Pod p : byOrdinal.values()) {
            if (!PodState.terminating(p) && PodState.finished(p)) {
                deletes.add(new Delete(p, "its containers exited (" + PodState.phase(p) + ")"));
            }
        }

        int partition = rolling(spec).partition == null ? 0 : rolling(spec).partition;
        int maxUnavailable = scaled(rolling(spec).maxUnavailable, replicas, 1);
        int unavailable = 0;
        for (int ordinal : desired) {
            Pod p = byOrdinal.get(ordinal);
            if (p == null || !PodState.available(p, minReady, in.now()) || InPlaceUpdate.inProgress(p) || InPlaceUpdate.gateUnset(p)
                    || deletes.stream().anyMatch(d -> d.pod() == p)) {
                unavailable++;
            }
            if (p != null && PodState.ready(p) && !minReady.isZero()) {
                Optional<Instant> at = PodState.availableAt(p, minReady);
                if (at.isPresent() && at.get().isAfter(in.now())) {
                    recheck = min(recheck, Duration.between(in.now(), at.get()));
                }
            }
        }

        // scaling: missing ordinals, and pods beyond the desired ones
        boolean blockedByOrder = false;
        int scaleBudget = parallel ? scaled(spec.scaleStrategy == null ? null : spec.scaleStrategy.maxUnavailable, replicas, Integer.MAX_VALUE)
                : Integer.MAX_VALUE;
        int notReady = (int) desired.stream().map(byOrdinal::get).filter(p -> p != null && !PodState.ready(p)).count();
        for (int ordinal : desired) {
            Pod p = byOrdinal.get(ordinal);
            if (p == null) {
                if (parallel) {
                    if (notReady < scaleBudget) {
                        creates.add(new Create(ordinal, ordinal < partition ? in.currentRevision() : in.updateRevision()));
                        notReady++;
                    }
                } else {
                    creates.add(new Create(ordinal, ordinal < partition ? in.currentRevision() : in.updateRevision()));
                    blockedByOrder = true;
                    break;
                }
            } else if (!parallel && (!PodState.ready(p) || PodState.terminating(p))) {
                blockedByOrder = true; // OrderedReady: the next pod waits for this one
                break;
            }
        }
        List<Pod> condemned = byOrdinal.entrySet().stream().filter(e -> !desired.contains(e.getKey())).map(Map.Entry::getValue)
                .sorted(Comparator.comparingInt((Pod p) -> ordinalOf(name, p)).reversed()).toList();
        for (Pod p : condemned) {
            if (PodState.terminating(p)) {
                if (!parallel) {
                    break; // one at a time, highest first
                }
                continue;
            }
            if (!parallel && blockedByOrder) {
                break;
            }
            deletes.add(new Delete(p, "scaled down"));
            if (!parallel) {
                break;
            }
        }

        // the update, from the highest ordinal down to the partition
        String policy = podUpdatePolicy(spec);
        boolean paused = Boolean.TRUE.equals(rolling(spec).paused);
        boolean onDelete = spec.updateStrategy != null && "OnDelete".equals(spec.updateStrategy.type);
        String blockedReason = null;
        int outdated = 0;
        int budget = maxUnavailable - unavailable;
        PodTemplateSpec target = in.templates().get(in.updateRevision());
        for (int ordinal : desired.descendingSet()) {
            Pod p = byOrdinal.get(ordinal);
            if (p == null || PodState.terminating(p) || ordinal < partition || in.updateRevision().equals(revisionOf(p))) {
                continue;
            }
            outdated++;
            if (paused || onDelete || blockedReason != null) {
                continue;
            }
            boolean alreadyOut = !PodState.available(p, minReady, in.now()) || InPlaceUpdate.inProgress(p);
            if (!alreadyOut && budget <= 0) {
                continue;
            }
            PodTemplateSpec from = in.templates().get(revisionOf(p));
            InPlaceUpdate.Diff diff = from == null ? null : InPlaceUpdate.diff(from, target);
            boolean possible = diff != null && diff.inPlacePossible() && !RECREATE.equals(policy) && InPlaceUpdate.hasReadinessGate(p);
            if (possible) {
                int grace = rolling(spec).inPlaceUpdateStrategy == null || rolling(spec).inPlaceUpdateStrategy.gracePeriodSeconds == null
                        ? 0 : rolling(spec).inPlaceUpdateStrategy.gracePeriodSeconds;
                boolean applyNow = grace == 0 || (InPlaceUpdate.inProgress(p)
                        && !InPlaceUpdate.closedAt(p).plusSeconds(grace).isAfter(in.now()));
                if (!applyNow && InPlaceUpdate.inProgress(p)) {
                    recheck = min(recheck, Duration.between(in.now(), InPlaceUpdate.closedAt(p).plusSeconds(grace)));
                } else if (!applyNow) {
                    recheck = min(recheck, Duration.ofSeconds(grace));
                }
                inPlace.add(new InPlace(p, diff, in.updateRevision(), applyNow));
            } else if (IN_PLACE_ONLY.equals(policy)) {
                blockedReason = "pod " + p.getMetadata().getName() + " cannot be updated in place (podUpdatePolicy InPlaceOnly): "
                        + (diff == null ? "its revision " + revisionOf(p) + " is gone" : "changed " + String.join(", ", diff.blocking()));
                continue;
            } else {
                deletes.add(new Delete(p, "recreated for revision " + in.updateRevision()));
            }
            if (!alreadyOut) {
                budget--;
            }
        }

        StatefulSetStatus status = status(in, desired, byOrdinal, minReady, partition);
        Phase phase;
        String reason;
        if (blockedReason != null) {
            phase = Phase.BLOCKED;
            reason = blockedReason;
        } else if (outdated > 0 && paused) {
            phase = Phase.PAUSED;
            reason = outdated + " pod(s) wait for revision " + in.updateRevision() + ": the rollout is paused";
        } else if (outdated == 0 && creates.isEmpty() && deletes.isEmpty() && inPlace.isEmpty()
                && status.updatedReadyReplicas >= desiredUpdated(desired, partition) && status.readyReplicas == desired.size()) {
            phase = Phase.FINISHED;
            reason = "every pod from ordinal " + partition + " runs revision " + in.updateRevision();
        } else {
            phase = Phase.PROGRESSING;
            reason = outdated + " pod(s) to update, " + (desired.size() - status.readyReplicas) + " not ready"
                    + waitingFor(desired, byOrdinal, in.now());
            Duration stuck = untilStuck(desired, byOrdinal, in.now());
            if (stuck != null) {
                recheck = min(recheck, stuck);
            }
        }
        return new Plan(creates, deletes, inPlace, openGates, status, phase, reason, Optional.ofNullable(recheck));
    }

    private static int desiredUpdated(TreeSet<Integer> desired, int partition) {
        return (int) desired.stream().filter(o -> o >= partition).count();
    }

    private static StatefulSetStatus status(Input in, TreeSet<Integer> desired, TreeMap<Integer, Pod> pods, Duration minReady, int partition) {
        StatefulSetStatus s = new StatefulSetStatus();
        StatefulSetStatus old = in.set().getStatus();
        s.observedGeneration = in.set().getMetadata().getGeneration();
        int replicas = 0, ready = 0, available = 0, current = 0, updated = 0, updatedReady = 0, updatedAvailable = 0;
        for (Pod p : pods.values()) {
            if (PodState.terminating(p)) {
                continue;
            }
            replicas++;
            boolean isReady = PodState.ready(p) && !InPlaceUpdate.inProgress(p);
            boolean isAvailable = isReady && PodState.available(p, minReady, in.now());
            ready += isReady ? 1 : 0;
            available += isAvailable ? 1 : 0;
            String revision = revisionOf(p);
            if (in.currentRevision().equals(revision)) {
                current++;
            }
            if (in.updateRevision().equals(revision)) {
                updated++;
                updatedReady += isReady ? 1 : 0;
                updatedAvailable += isAvailable ? 1 : 0;
            }
        }
        s.replicas = replicas;
        s.readyReplicas = ready;
        s.availableReplicas = available;
        s.currentReplicas = current;
        s.updatedReplicas = updated;
        s.updatedReadyReplicas = updatedReady;
        s.updatedAvailableReplicas = updatedAvailable;
        s.updateRevision = in.updateRevision();
        // the update becomes current once every pod the partition lets it reach runs it
        boolean done = partition == 0 && updated == desired.size() && replicas == desired.size();
        s.currentRevision = done ? in.updateRevision() : in.currentRevision();
        s.collisionCount = old == null ? null : old.collisionCount;
        s.labelSelector = selectorString(in.set());
        s.conditions = old == null || old.conditions == null ? new ArrayList<>() : new ArrayList<>(old.conditions);
        return s;
    }

    static String selectorString(AdvancedStatefulSet set) {
        var selector = set.getSpec().selector;
        if (selector == null || selector.getMatchLabels() == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        new TreeMap<>(selector.getMatchLabels()).forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    private static Duration min(Duration a, Duration b) {
        Duration positive = b.isNegative() ? Duration.ZERO : b;
        return a == null || positive.compareTo(a) < 0 ? positive : a;
    }

    /** ReCreate unless the spec says otherwise. */
    static String podUpdatePolicy(StatefulSetSpec spec) {
        return rolling(spec).podUpdatePolicy == null ? RECREATE : rolling(spec).podUpdatePolicy;
    }

    /** Pods of a set that may update in place carry the {@code InPlaceUpdateReady} readiness gate from creation. */
    static boolean updatesInPlace(StatefulSetSpec spec) {
        return !RECREATE.equals(podUpdatePolicy(spec));
    }

    static StatefulSetSpec.RollingUpdate rolling(StatefulSetSpec spec) {
        return spec.updateStrategy == null || spec.updateStrategy.rollingUpdate == null ? new StatefulSetSpec.RollingUpdate()
                : spec.updateStrategy.rollingUpdate;
    }

    /** The ordinals the set should have: from {@code ordinals.start}, skipping reserved ones, {@code replicas} of them. */
    public static TreeSet<Integer> desiredOrdinals(StatefulSetSpec spec, int replicas) {
        TreeSet<Integer> reserved = reservedOrdinals(spec.reserveOrdinals);
        TreeSet<Integer> ordinals = new TreeSet<>();
        int ordinal = spec.ordinals == null || spec.ordinals.start == null ? 0 : spec.ordinals.start;
        while (ordinals.size() < replicas) {
            if (!reserved.contains(ordinal)) {
                ordinals.add(ordinal);
            }
            ordinal++;
        }
        return ordinals;
    }

    /** Kruise's {@code reserveOrdinals}: numbers, or ranges {@code "a-b"} with both ends included. */
    public static TreeSet<Integer> reservedOrdinals(List<IntOrString> reserve) {
        TreeSet<Integer> reserved = new TreeSet<>();
        if (reserve == null) {
            return reserved;
        }
        for (IntOrString r : reserve) {
            if (r.getIntVal() != null) {
                reserved.add(r.getIntVal());
            } else {
                String[] range = r.getStrVal().trim().split("-");
                int from = Integer.parseInt(range[0].trim());
                int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
                for (int i = from; i <= to; i++) {
                    reserved.add(i);
                }
            }
        }
        return reserved;
    }

    /** A number, or a percent of {@code total} rounded down (at least 1); {@code fallback} when absent. */
    public static int scaled(IntOrString value, int total, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.getIntVal() != null) {
            return Math.max(1, value.getIntVal());
        }
        String s = value.getStrVal().trim();
        if (s.endsWith("%")) {
            int percent = Integer.parseInt(s.substring(0, s.length() - 1).trim());
            return Math.max(1, total * percent / 100);
        }
        return Math.max(1, Integer.parseInt(s));
    }

    public static String revisionOf(Pod p) {
        return PodState.label(p, Revisions.REVISION_LABEL);
    }

    /** The ordinal in a pod's name {@code <set>-<ordinal>}, or -1 for a pod not named so. */
    public static int ordinalOf(String set, Pod p) {
        String n = p.getMetadata().getName();
        if (n == null || !n.startsWith(set + "-")) {
            return -1;
        }
        try {
            return Integer.parseInt(n.substring(set.length() + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** How long a pod may be not ready before the rollout's reason names it as what the rollout waits for. */
    static final Duration STUCK_AFTER = Duration.ofSeconds(30);

    /**
     * What holds a rollout, so a stuck one says so: the first three pods (lowest ordinal first) not ready for
     * {@link #STUCK_AFTER} or longer, each with how long and what its status says ("; waiting for web-3 (not ready for
     * 95s): container main waiting (ImagePullBackOff)"). Pods only briefly not ready are left out: they are a rollout
     * going as planned, and naming them would change the status (and write it) at every step.
     */
    static String waitingFor(java.util.NavigableSet<Integer> desired, Map<Integer, Pod> byOrdinal, Instant now) {
        List<String> waits = new ArrayList<>();
        for (int ordinal : desired) {
            Pod p = byOrdinal.get(ordinal);
            if (p == null || PodState.ready(p)) {
                continue;
            }
            Optional<Instant> since = notReadySince(p);
            if (since.isPresent() && Duration.between(since.get(), now).compareTo(STUCK_AFTER) < 0) {
                continue;
            }
            if (waits.size() == 3) {
                waits.add("...");
                break;
            }
            waits.add(p.getMetadata().getName() + since.map(t -> " (not ready for " + Duration.between(t, now).toSeconds() + "s)").orElse("")
                    + ": " + notReadyBecause(p));
        }
        return waits.isEmpty() ? "" : "; waiting for " + String.join(", ", waits);
    }

    /** When the next not-ready pod will have been so for {@link #STUCK_AFTER}, so the reason can name it then; null if none. */
    static Duration untilStuck(java.util.NavigableSet<Integer> desired, Map<Integer, Pod> byOrdinal, Instant now) {
        Duration next = null;
        for (int ordinal : desired) {
            Pod p = byOrdinal.get(ordinal);
            if (p == null || PodState.ready(p)) {
                continue;
            }
            Optional<Instant> since = notReadySince(p);
            if (since.isPresent()) {
                Duration left = Duration.between(now, since.get().plus(STUCK_AFTER));
                if (!left.isNegative() && !left.isZero()) {
                    next = next == null || left.plusSeconds(1).compareTo(next) < 0 ? left.plusSeconds(1) : next;
                }
            }
        }
        return next;
    }

    /** Since when a pod is not ready: its Ready condition's last transition, else its creation; empty when unknown. */
    static Optional<Instant> notReadySince(Pod p) {
        String at = PodState.condition(p, "Ready").map(c -> c.getLastTransitionTime()).orElse(null);
        if (at == null) {
            at = p.getMetadata().getCreationTimestamp();
        }
        try {
            return at == null ? Optional.empty() : Optional.of(Instant.parse(at));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** What a pod's status says about why it is not ready, most specific first. */
    static String notReadyBecause(Pod p) {
        if (PodState.terminating(p)) {
            return "terminating";
        }
        if (InPlaceUpdate.inProgress(p)) {
            return "updating in place";
        }
        var scheduled = PodState.condition(p, "PodScheduled");
        if (scheduled.isPresent() && "False".equals(scheduled.get().getStatus())) {
            return "not scheduled" + (scheduled.get().getMessage() == null ? "" : " (" + scheduled.get().getMessage() + ")");
        }
        for (var c : PodState.containerStatuses(p)) {
            if (c.getState() != null && c.getState().getWaiting() != null) {
                String why = c.getState().getWaiting().getReason();
                return "container " + c.getName() + " waiting" + (why == null ? "" : " (" + why + ")")
                        + (c.getRestartCount() != null && c.getRestartCount() > 0 ? ", " + c.getRestartCount() + " restart(s)" : "");
            }
            if (c.getState() != null && c.getState().getTerminated() != null) {
                return "container " + c.getName() + " exited with " + c.getState().getTerminated().getExitCode();
            }
            if (!Boolean.TRUE.equals(c.getReady())) {
                return "container " + c.getName() + " not ready";
            }
        }
        String phase = PodState.phase(p);
        return phase == null || phase.isEmpty() || "Running".equals(phase) ? "not ready" : phase;
    }
}
