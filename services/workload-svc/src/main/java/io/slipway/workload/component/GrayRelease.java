package io.slipway.workload.component;

import io.slipway.workload.component.ComponentStatus.ReleaseStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a Component's release goes now, decided from its spec, its last release status, what the workload reports
 * and the clock (pure). A release starts when the rendered pod template (its revision) differs from the one fully
 * released ({@code stableRevision}).
 *
 * <ul>
 *   <li><b>Rolling</b>: the new template everywhere at once (the workload's own rolling update paces it).</li>
 *   <li><b>Gray</b>: in steps of updated pods ({@code "1"}, {@code "20%"}; a last step of 100% is implied). On a
 *       StatefulSet or Advanced StatefulSet a step moves the partition (the highest ordinals update first; in place on
 *       an Advanced StatefulSet); on a Deployment it sizes a canary Deployment beside the stable one. A step is done
 *       when its pods are updated and ready; then it waits for {@code resume} (no {@code pause} given) or for its
 *       pause to pass.</li>
 *   <li><b>Actions</b> (annotation {@value Component#RELEASE_ACTION}, consumed): {@code resume} continues past a
 *       waiting step, {@code promote} goes to 100% at once, {@code abort} returns every pod to the stable revision and
 *       holds there until the next change of the spec or a template. {@code spec.release.paused} holds the current
 *       step.</li>
 * </ul>
 */
public final class GrayRelease {
    public static final String PROGRESSING = "Progressing";
    public static final String STEP_PAUSED = "StepPaused";
    public static final String PAUSED = "Paused";
    public static final String SUCCEEDED = "Succeeded";
    public static final String ABORTED = "Aborted";

    private GrayRelease() {
    }

    /** What the workload reports of the revision being released: its size, and its pods updated and ready. */
    public record Observed(int replicas, int updatedReady) {
    }

    /**
     * The decision: which revision the workload's template should carry ({@code stable} = leave the stable one),
     * how many pods should be updated, the new release status, whether the action was consumed, when to look again.
     */
    public record Plan(boolean useNewTemplate, int updatedPods, ReleaseStatus status, boolean actionConsumed, Optional<Instant> wake,
                       String event) {
    }

    public static Plan plan(ComponentSpec spec, String revision, ReleaseStatus last, Observed observed, String action, Instant now) {
        int n = observed.replicas();
        ReleaseStatus s = copy(last);
        if (s.stableRevision == null) {
            // the first rendering is the stable one: nothing to release gradually yet
            s.stableRevision = revision;
            s.revision = revision;
            s.phase = SUCCEEDED;
            return new Plan(true, n, s, action != null, Optional.empty(), null);
        }
        if (revision.equals(s.stableRevision)) {
            boolean changed = !revision.equals(s.revision) || !SUCCEEDED.equals(s.phase);
            s.revision = revision;
            s.phase = SUCCEEDED;
            s.step = null;
            s.stepReplicas = null;
            s.stepReadyTime = null;
            s.message = null;
            return new Plan(true, n, s, action != null, Optional.empty(), changed ? "ReleaseSucceeded" : null);
        }
        String event = null;
        if (!revision.equals(s.revision)) {
            s.revision = revision;
            s.phase = PROGRESSING;
            s.step = 0;
            s.stepReadyTime = null;
            s.message = null;
            event = "ReleaseStarted";
        }
        if (ABORTED.equals(s.phase)) {
            return new Plan(false, 0, s, action != null, Optional.empty(), null);
        }
        boolean gray = spec.release != null && "Gray".equals(spec.release.strategy);
        List<ComponentSpec.Step> steps = gray ? steps(spec.release.steps) : List.of(new ComponentSpec.Step("100%", "0s"));
        if ("abort".equals(action)) {
            s.phase = ABORTED;
            s.message = "aborted at step " + (s.step + 1) + " of " + steps.size() + ": every pod returns to " + s.stableRevision;
            return new Plan(false, 0, s, true, Optional.empty(), "ReleaseAborted");
        }
        boolean consumed = false;
        if ("promote".equals(action)) {
            s.step = steps.size() - 1;
            s.stepReadyTime = null;
            s.phase = PROGRESSING;
            s.message = "promoted: all pods";
            consumed = true;
            event = "ReleasePromoted";
        }
        if (s.step >= steps.size()) {
            s.step = steps.size() - 1; // the steps were shortened meanwhile
        }
        int k = podsAt(steps.get(s.step).replicas, n);
        s.stepReplicas = k;
        if (spec.release != null && Boolean.TRUE.equals(spec.release.paused)) {
            s.phase = PAUSED;
            s.message = "paused at step " + (s.step + 1) + " of " + steps.size() + " (spec.release.paused)";
            return new Plan(true, k, s, consumed || action != null, Optional.empty(), event);
        }
        if (observed.updatedReady() < k) {
            s.phase = PROGRESSING;
            s.stepReadyTime = null;
            s.message = "step " + (s.step + 1) + " of " + steps.size() + ": " + observed.updatedReady() + " of " + k + " pods updated and ready";
            return new Plan(true, k, s, consumed || action != null && !"resume".equals(action), Optional.empty(), event);
        }
        if (s.step == steps.size() - 1) {
            s.stableRevision = revision;
            s.phase = SUCCEEDED;
            s.step = null;
            s.stepReplicas = null;
            s.stepReadyTime = null;
            s.message = null;
            return new Plan(true, n, s, consumed || action != null, Optional.empty(), "ReleaseSucceeded");
        }
        if (s.stepReadyTime == null) {
            s.stepReadyTime = now.toString();
        }
        String pause = steps.get(s.step).pause;
        Instant until = pause == null ? null : Instant.parse(s.stepReadyTime).plus(pause(pause));
        if ("resume".equals(action) || until != null && !until.isAfter(now)) {
            s.step++;
            s.stepReadyTime = null;
            int next = podsAt(steps.get(s.step).replicas, n);
            s.stepReplicas = next;
            s.phase = PROGRESSING;
            s.message = "step " + (s.step + 1) + " of " + steps.size() + ": " + observed.updatedReady() + " of " + next + " pods updated and ready";
            return new Plan(true, next, s, "resume".equals(action) || consumed, Optional.empty(), event == null ? "ReleaseStepStarted" : event);
        }
        s.phase = STEP_PAUSED;
        s.message = "step " + (s.step + 1) + " of " + steps.size() + " done (" + k + " of " + n + " pods); "
                + (until == null ? "waiting for resume, promote or abort" : "goes on at " + until);
        return new Plan(true, k, s, consumed, Optional.ofNullable(until), event == null && !Objects.equals(last == null ? null : last.phase, STEP_PAUSED)
                ? "ReleaseStepPaused" : event);
    }

    /** The steps with the implied last one: 100% unless the last step already is. */
    static List<ComponentSpec.Step> steps(List<ComponentSpec.Step> given) {
        List<ComponentSpec.Step> steps = new ArrayList<>(given);
        if (steps.isEmpty() || !"100%".equals(steps.get(steps.size() - 1).replicas.trim())) {
            steps.add(new ComponentSpec.Step("100%", "0s"));
        }
        return steps;
    }

    /** Pods updated at a step of {@code n}: a count, or a percent rounded up; at least 1 (when n > 0), at most n. */
    static int podsAt(String replicas, int n) {
        if (replicas == null || replicas.isBlank()) {
            throw new IllegalArgumentException("Required value (a count such as \"1\" or a percent such as \"20%\")");
        }
        String r = replicas.trim();
        int pods;
        try {
            if (r.endsWith("%")) {
                int pct = Integer.parseInt(r.substring(0, r.length() - 1));
                if (pct < 1 || pct > 100) {
                    throw new IllegalArgumentException("Invalid value: \"" + replicas + "\": a percent is between 1% and 100%");
                }
                pods = (int) Math.ceil(pct * n / 100.0);
            } else {
                pods = Integer.parseInt(r);
                if (pods < 1) {
                    throw new IllegalArgumentException("Invalid value: \"" + replicas + "\": at least 1 pod");
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value: \"" + replicas + "\": a count such as \"1\" or a percent such as \"20%\"");
        }
        return n == 0 ? 0 : Math.max(1, Math.min(pods, n));
    }

    /** A step's pause, "30s", "5m", "1h" (or an ISO-8601 duration). */
    static Duration pause(String text) {
        String t = text.trim();
        try {
            if (t.matches("\\d+[smh]")) {
                long v = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(v);
                    case 'm' -> Duration.ofMinutes(v);
                    default -> Duration.ofHours(v);
                };
            }
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid value: \"" + text + "\": a duration such as 30s, 5m or 1h");
        }
    }

    private static ReleaseStatus copy(ReleaseStatus last) {
        ReleaseStatus s = new ReleaseStatus();
        if (last != null) {
            s.revision = last.revision;
            s.stableRevision = last.stableRevision;
            s.phase = last.phase;
            s.step = last.step;
            s.stepReplicas = last.stepReplicas;
            s.stepReadyTime = last.stepReadyTime;
            s.message = last.message;
        }
        return s;
    }
}
