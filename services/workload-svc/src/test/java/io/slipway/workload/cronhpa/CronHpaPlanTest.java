package io.slipway.workload.cronhpa;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.workload.cronhpa.CronHpaStatus.JobCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The CronHPA's decisions on a clock that is a value: daylight saving time in a named zone, missed runs after an
 * outage (run once within the deadline, else Missed, never twice), excluded dates, runOnce, {@code @every}, retries,
 * and validation that names the job and the field.
 */
class CronHpaPlanTest {
    private static final ZoneId UTC = ZoneId.of("UTC");

    private static CronHpaSpec spec(String zone, CronHpaSpec.Job... jobs) {
        CronHpaSpec spec = new CronHpaSpec();
        spec.scaleTargetRef = new CronHpaSpec.ScaleTargetRef("apps/v1", "Deployment", "web");
        spec.timeZone = zone;
        spec.jobs = new ArrayList<>(List.of(jobs));
        return spec;
    }

    /** One reconcile: the plan, with its run carried out (succeeding or not) into the next status. */
    private record Step(CronHpaPlan plan, CronHpaStatus status) {
        Optional<CronHpaPlan.Run> run() {
            return plan.run();
        }

        JobCondition job(String name) {
            return status.conditions.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
        }
    }

    private static Step step(CronHpaSpec spec, CronHpaStatus status, Instant now, boolean succeeds) {
        CronHpaPlan plan = CronHpaPlan.plan(spec, status, "uid-1", now, UTC);
        plan.run().ifPresent(r -> {
            r.condition().lastScheduleTime = r.fire().toString();
            r.condition().lastProbeTime = now.toString();
            r.condition().state = succeeds ? CronHpaStatus.SUCCEED : CronHpaStatus.FAILED;
            r.condition().failures = succeeds ? null : (r.condition().failures == null ? 1 : r.condition().failures + 1);
            r.condition().message = succeeds ? "ok" : "cron hpa job failed";
        });
        CronHpaStatus next = new CronHpaStatus();
        next.conditions = plan.conditions();
        next.activeJob = plan.activeJob();
        next.message = plan.message();
        return new Step(plan, next);
    }

    private static Step step(CronHpaSpec spec, CronHpaStatus status, String now) {
        return step(spec, status, Instant.parse(now), true);
    }

    @Test
    void aDailyJobKeepsItsWallClockTimeAcrossTheSpringChangeAndAGapTimeRunsAtTheEndOfTheGap() {
        CronHpaSpec spec = spec("Europe/Berlin", new CronHpaSpec.Job("morning", "0 0 8 * * *", 10),
                new CronHpaSpec.Job("night", "0 30 2 * * *", 2));
        Step s = step(spec, null, "2026-03-27T12:00:00Z");
        assertThat(s.run()).isEmpty();
        assertThat(s.job("morning").nextScheduleTime).isEqualTo("2026-03-28T07:00:00Z"); // 08:00 CET
        List<String> fires = new ArrayList<>();
        Instant now = Instant.parse("2026-03-27T12:00:00Z");
        CronHpaStatus status = s.status();
        // follow the plan's own wake-ups for four days, as the controller does
        while (now.isBefore(Instant.parse("2026-03-30T06:00:00Z"))) {
            now = s.plan().wake().orElseThrow();
            s = step(spec, status, now, true);
            status = s.status();
            s.run().ifPresent(r -> fires.add(r.condition().name + "@" + r.fire()));
        }
        assertThat(fires).containsExactly(
                "night@2026-03-28T01:30:00Z", "morning@2026-03-28T07:00:00Z",
                // 29 March: 02:30 does not exist in Berlin (02:00 → 03:00): it fires at 03:00 CEST, the end of the gap
                "night@2026-03-29T01:00:00Z", "morning@2026-03-29T06:00:00Z", // 08:00 CEST
                "night@2026-03-30T00:30:00Z", "morning@2026-03-30T06:00:00Z");
    }

    @Test
    void aTimeThatOccursTwiceInTheAutumnFiresOnce() {
        CronHpaSpec spec = spec("Europe/Berlin", new CronHpaSpec.Job("night", "0 30 2 * * *", 2));
        Step s = step(spec, null, "2026-10-24T12:00:00Z");
        CronHpaStatus status = s.status();
        List<Instant> fires = new ArrayList<>();
        Instant now = Instant.parse("2026-10-24T12:00:00Z");
        for (Instant t = now; t.isBefore(Instant.parse("2026-10-26T12:00:00Z")); t = t.plus(Duration.ofMinutes(5))) {
            s = step(spec, status, t, true); // a look every five minutes, through both 02:30s of 25 October
            status = s.status();
            s.run().ifPresent(r -> fires.add(r.fire()));
        }
        assertThat(fires).containsExactly(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-26T01:30:00Z"));
    }

    @Test
    void afterAnOutageTheJobInEffectRunsOnceWithinTheDeadlineAndTheOneItSupersededIsMissed() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("up", "0 0 8 * * *", 10), new CronHpaSpec.Job("down", "0 0 20 * * *", 2));
        spec.startingDeadlineSeconds = 3600L;
        Step s = step(spec, null, "2026-06-01T06:00:00Z");
        // the controller is down from 07:00 to 20:30: both jobs fired meanwhile
        s = step(spec, s.status(), "2026-06-01T20:30:00Z");
        assertThat(s.run()).hasValueSatisfying(r -> {
            assertThat(r.condition().name).isEqualTo("down");
            assertThat(r.targetSize()).isEqualTo(2);
            assertThat(r.fire()).isEqualTo(Instant.parse("2026-06-01T20:00:00Z"));
        });
        assertThat(s.job("up").state).isEqualTo(CronHpaStatus.MISSED);
        assertThat(s.job("up").message).contains("superseded by job down");
        assertThat(s.plan().missed()).extracting(c -> c.name).containsExactly("up");
        assertThat(s.plan().activeJob()).isEqualTo("down");
        // never twice: the next looks (a restart reads the same status) find nothing to do until 08:00
        Step again = step(spec, s.status(), "2026-06-01T20:31:00Z");
        assertThat(again.run()).isEmpty();
        assertThat(again.plan().missed()).isEmpty();
        assertThat(again.plan().wake()).contains(Instant.parse("2026-06-02T08:00:00Z"));
    }

    @Test
    void aFireSeenLaterThanTheDeadlineIsRecordedMissedAndNotRun() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("down", "0 0 20 * * *", 2));
        spec.startingDeadlineSeconds = 600L;
        Step s = step(spec, null, "2026-06-01T06:00:00Z");
        s = step(spec, s.status(), "2026-06-01T20:11:00Z");
        assertThat(s.run()).isEmpty();
        assertThat(s.job("down").state).isEqualTo(CronHpaStatus.MISSED);
        assertThat(s.job("down").lastScheduleTime).isEqualTo("2026-06-01T20:00:00Z");
        assertThat(s.job("down").message).contains("startingDeadlineSeconds=600");
        Step again = step(spec, s.status(), "2026-06-01T20:12:00Z");
        assertThat(again.plan().missed()).isEmpty();
        // without a deadline the same fire is caught up however late
        spec.startingDeadlineSeconds = null;
        Step fresh = step(spec, null, "2026-06-01T06:00:00Z");
        assertThat(step(spec, fresh.status(), "2026-06-01T23:59:00Z").run()).isPresent();
    }

    @Test
    void excludedDatesAreSkippedWholeDays() {
        CronHpaSpec spec = spec("Asia/Shanghai", new CronHpaSpec.Job("up", "0 0 9 * * *", 5));
        spec.excludeDates = List.of("* * * 15 11 *", "* * * * * 0"); // 15 November, and Sundays
        Step s = step(spec, null, "2026-11-13T12:00:00Z"); // Friday
        assertThat(s.job("up").nextScheduleTime).isEqualTo("2026-11-14T01:00:00Z"); // Saturday 09:00 +08:00
        s = step(spec, s.status(), "2026-11-14T01:00:00Z");
        // Sunday the 15th is excluded twice over, Monday the 16th is not
        assertThat(s.job("up").nextScheduleTime).isEqualTo("2026-11-16T01:00:00Z");
        assertThat(step(spec, s.status(), "2026-11-15T02:00:00Z").run()).isEmpty();
    }

    @Test
    void aRunOnceJobRunsOnceAndStaysInEffect() {
        CronHpaSpec.Job once = new CronHpaSpec.Job("launch", "@date 2026-07-01 10:00:00", 20);
        CronHpaSpec.Job daily = new CronHpaSpec.Job("daily", "0 0 9 * * *", 5);
        daily.runOnce = true;
        CronHpaSpec spec = spec("UTC", once, daily);
        Step s = step(spec, null, "2026-06-30T12:00:00Z");
        s = step(spec, s.status(), "2026-07-01T09:00:00Z");
        assertThat(s.run()).hasValueSatisfying(r -> assertThat(r.condition().name).isEqualTo("daily"));
        s = step(spec, s.status(), "2026-07-01T10:00:00Z");
        assertThat(s.run()).hasValueSatisfying(r -> assertThat(r.condition().name).isEqualTo("launch"));
        Step later = step(spec, s.status(), "2026-07-05T09:00:01Z");
        assertThat(later.run()).isEmpty();
        assertThat(later.job("daily").nextScheduleTime).isNull();
        assertThat(later.job("launch").nextScheduleTime).isNull();
        assertThat(later.plan().activeJob()).isEqualTo("launch");
        assertThat(later.plan().wake()).isEmpty();
    }

    @Test
    void everyCountsFromWhenTheJobWasSubmittedAndAChangedScheduleIsANewJob() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("pulse", "@every 1h30m", 3));
        Step s = step(spec, null, "2026-06-01T00:10:00Z");
        assertThat(s.job("pulse").nextScheduleTime).isEqualTo("2026-06-01T01:40:00Z");
        String id = s.job("pulse").jobId;
        spec.jobs.get(0).schedule = "@every 10m";
        Step changed = step(spec, s.status(), "2026-06-01T01:00:00Z");
        assertThat(changed.job("pulse").jobId).isNotEqualTo(id);
        assertThat(changed.job("pulse").state).isEqualTo(CronHpaStatus.SUBMITTED);
        assertThat(changed.job("pulse").nextScheduleTime).isEqualTo("2026-06-01T01:10:00Z");
    }

    @Test
    void aFailedRunIsRetriedWithBackoffWhileItIsInEffect() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("up", "0 0 8 * * *", 10));
        Step s = step(spec, null, "2026-06-01T06:00:00Z");
        s = step(spec, s.status(), Instant.parse("2026-06-01T08:00:00Z"), false);
        assertThat(s.job("up").state).isEqualTo(CronHpaStatus.FAILED);
        assertThat(s.plan().wake()).isPresent();
        assertThat(step(spec, s.status(), "2026-06-01T08:00:05Z").run()).isEmpty();
        assertThat(CronHpaPlan.plan(spec, s.status(), "uid-1", Instant.parse("2026-06-01T08:00:05Z"), UTC).wake())
                .contains(Instant.parse("2026-06-01T08:00:10Z"));
        Step retried = step(spec, s.status(), Instant.parse("2026-06-01T08:00:10Z"), false);
        assertThat(retried.run()).isPresent();
        assertThat(retried.job("up").failures).isEqualTo(2);
        assertThat(step(spec, retried.status(), "2026-06-01T08:00:25Z").run()).isEmpty(); // 20 s after the second failure
        assertThat(step(spec, retried.status(), "2026-06-01T08:00:30Z").run()).isPresent();
    }

    @Test
    void twoJobsFiringTogetherLeaveTheOneListedLaterInEffect() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("a", "0 0 8 * * *", 3), new CronHpaSpec.Job("b", "0 0 8 * * *", 7));
        Step s = step(spec, null, "2026-06-01T06:00:00Z");
        s = step(spec, s.status(), "2026-06-01T08:00:00Z");
        assertThat(s.run()).hasValueSatisfying(r -> assertThat(r.targetSize()).isEqualTo(7));
        assertThat(s.job("a").state).isEqualTo(CronHpaStatus.MISSED);
    }

    @Test
    void problemsNameTheJobAndTheField() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("up", "0 61 8 * * *", 3), new CronHpaSpec.Job("down", "0 0 20 * *", 1),
                new CronHpaSpec.Job("ok", "@hourly", 2), new CronHpaSpec.Job("neg", "@daily", -1));
        Step s = step(spec, null, "2026-06-01T06:00:00Z");
        assertThat(s.job("up").state).isEqualTo(CronHpaStatus.FAILED);
        assertThat(s.job("up").message).startsWith("spec.jobs[0] (up).schedule: \"0 61 8 * * *\"").contains("61");
        assertThat(s.job("down").message).isEqualTo("spec.jobs[1] (down).schedule: \"0 0 20 * *\": expected 6 fields "
                + "(second minute hour day-of-month month day-of-week), got 5");
        assertThat(s.job("neg").message).isEqualTo("spec.jobs[3] (neg).targetSize: must be 0 or more, got -1");
        assertThat(s.job("ok").state).isEqualTo(CronHpaStatus.SUBMITTED);
        assertThat(s.job("ok").nextScheduleTime).isEqualTo("2026-06-01T07:00:00Z");

        spec.jobs.get(0).schedule = "0 1 8 * * *"; // fixed: the job is submitted, its problem gone
        Step fixed = step(spec, s.status(), "2026-06-01T06:01:00Z");
        assertThat(fixed.job("up").state).isEqualTo(CronHpaStatus.SUBMITTED);
        assertThat(fixed.job("up").message).isNull();

        CronHpaSpec bad = spec("Mars/Olympus", new CronHpaSpec.Job("up", "@hourly", 0), new CronHpaSpec.Job("up", "@daily", 1));
        bad.scaleTargetRef = new CronHpaSpec.ScaleTargetRef("autoscaling/v2", "HorizontalPodAutoscaler", null);
        bad.excludeDates = List.of("* * * 32 1 *");
        CronHpaPlan plan = CronHpaPlan.plan(bad, null, "uid-1", Instant.parse("2026-06-01T06:00:00Z"), UTC);
        assertThat(plan.message()).contains("spec.scaleTargetRef.name: Required value")
                .contains("spec.timeZone: unknown time zone \"Mars/Olympus\"")
                .contains("spec.excludeDates[0]: \"* * * 32 1 *\"")
                .contains("spec.jobs[1] (up).name: Duplicate value: \"up\"");
        assertThat(plan.run()).isEmpty();
        assertThat(plan.wake()).isEmpty();
        CronHpaSpec hpa = spec("UTC", new CronHpaSpec.Job("night", "@daily", 0));
        hpa.scaleTargetRef = new CronHpaSpec.ScaleTargetRef("autoscaling/v2", "HorizontalPodAutoscaler", "web");
        assertThat(step(hpa, null, "2026-06-01T06:00:00Z").job("night").message)
                .startsWith("spec.jobs[0] (night).targetSize: a HorizontalPodAutoscaler's minReplicas is at least 1");
    }

    @Test
    void aDeploymentMayBeScaledToZero() {
        CronHpaSpec spec = spec("UTC", new CronHpaSpec.Job("off", "@daily", 0));
        Step s = step(spec, null, "2026-06-01T06:00:00Z");
        assertThat(step(spec, s.status(), "2026-06-02T00:00:00Z").run()).hasValueSatisfying(r -> assertThat(r.targetSize()).isZero());
    }
}
