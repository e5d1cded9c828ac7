package io.slipway.workload.component;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.workload.component.ComponentStatus.ReleaseStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gray release's steps, pauses and actions, decided from values. */
class GrayReleaseTest {
    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    private static ComponentSpec gray(ComponentFields.Step... steps) {
        ComponentSpec spec = new ComponentSpec();
        spec.release = new ComponentFields.Release();
        spec.release.strategy = "Gray";
        spec.release.steps = List.of(steps);
        return spec;
    }

    private static ReleaseStatus stable(String revision) {
        ReleaseStatus s = new ReleaseStatus();
        s.stableRevision = revision;
        s.revision = revision;
        s.phase = GrayRelease.SUCCEEDED;
        return s;
    }

    @Test
    void theFirstRenderingIsStableAtOnce() {
        var plan = GrayRelease.plan(gray(new ComponentFields.Step("1", null)), "r1", null, new GrayRelease.Observed(4, 0), null, T0);
        assertThat(plan.useNewTemplate()).isTrue();
        assertThat(plan.updatedPods()).isEqualTo(4);
        assertThat(plan.status().stableRevision).isEqualTo("r1");
    }

    @Test
    void stepsWaitForTheirPodsThenForResumeAndEndAtAllPods() {
        ComponentSpec spec = gray(new ComponentFields.Step("1", null), new ComponentFields.Step("50%", "30s"));
        var p = GrayRelease.plan(spec, "r2", stable("r1"), new GrayRelease.Observed(4, 0), null, T0);
        assertThat(p.updatedPods()).isEqualTo(1);
        assertThat(p.status().phase).isEqualTo(GrayRelease.PROGRESSING);
        assertThat(p.event()).isEqualTo("ReleaseStarted");
        // a resume sent before the step is ready waits for it
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(4, 0), "resume", T0);
        assertThat(p.actionConsumed()).isFalse();
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(4, 1), null, T0);
        assertThat(p.status().phase).isEqualTo(GrayRelease.STEP_PAUSED);
        assertThat(p.status().message).contains("waiting for resume");
        assertThat(p.updatedPods()).isEqualTo(1);
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(4, 1), "resume", T0.plusSeconds(5));
        assertThat(p.actionConsumed()).isTrue();
        assertThat(p.updatedPods()).isEqualTo(2); // 50% of 4
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(4, 2), null, T0.plusSeconds(10));
        assertThat(p.status().phase).isEqualTo(GrayRelease.STEP_PAUSED);
        assertThat(p.wake()).contains(T0.plusSeconds(40)); // a timed pause goes on by itself
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(4, 2), null, T0.plusSeconds(40));
        assertThat(p.updatedPods()).isEqualTo(4); // the implied last step
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(4, 4), null, T0.plusSeconds(50));
        assertThat(p.status().phase).isEqualTo(GrayRelease.SUCCEEDED);
        assertThat(p.status().stableRevision).isEqualTo("r2");
        assertThat(p.event()).isEqualTo("ReleaseSucceeded");
    }

    @Test
    void abortHoldsTheStableRevisionUntilTheNextChange() {
        ComponentSpec spec = gray(new ComponentFields.Step("1", null));
        var p = GrayRelease.plan(spec, "r2", stable("r1"), new GrayRelease.Observed(3, 1), null, T0);
        p = GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(3, 1), "abort", T0);
        assertThat(p.useNewTemplate()).isFalse();
        assertThat(p.status().phase).isEqualTo(GrayRelease.ABORTED);
        assertThat(p.status().stableRevision).isEqualTo("r1");
        assertThat(p.actionConsumed()).isTrue();
        assertThat(GrayRelease.plan(spec, "r2", p.status(), new GrayRelease.Observed(3, 0), null, T0).useNewTemplate()).isFalse();
        // a new revision starts a new release; going back to the stable one ends it
        assertThat(GrayRelease.plan(spec, "r3", p.status(), new GrayRelease.Observed(3, 0), null, T0).status().phase).isEqualTo(GrayRelease.PROGRESSING);
        assertThat(GrayRelease.plan(spec, "r1", p.status(), new GrayRelease.Observed(3, 3), null, T0).status().phase).isEqualTo(GrayRelease.SUCCEEDED);
    }

    @Test
    void promoteGoesToAllPodsAndPausedHoldsTheStep() {
        ComponentSpec spec = gray(new ComponentFields.Step("1", null), new ComponentFields.Step("20%", null));
        var p = GrayRelease.plan(spec, "r2", stable("r1"), new GrayRelease.Observed(10, 0), "promote", T0);
        assertThat(p.updatedPods()).isEqualTo(10);
        assertThat(p.event()).isEqualTo("ReleasePromoted");
        spec.release.paused = true;
        var held = GrayRelease.plan(spec, "r3", p.status(), new GrayRelease.Observed(10, 5), "resume", T0);
        assertThat(held.status().phase).isEqualTo(GrayRelease.PAUSED);
        assertThat(held.updatedPods()).isEqualTo(1);
    }

    @Test
    void stepSizesRoundUpAndStayWithinTheReplicas() {
        assertThat(GrayRelease.podsAt("20%", 7)).isEqualTo(2);
        assertThat(GrayRelease.podsAt("1", 0)).isZero();
        assertThat(GrayRelease.podsAt("5", 3)).isEqualTo(3);
        assertThat(GrayRelease.podsAt("1%", 3)).isEqualTo(1);
    }
}
