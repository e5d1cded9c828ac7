package io.slipway.workload.cronhpa;

import io.slipway.workload.cronhpa.CronHpaStatus.JobCondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a CronHPA's jobs ask for at one instant, decided from its spec and last status only (pure, so every rule below
 * is tested on a clock that is a value):
 *
 * <ul>
 *   <li>Each job's fires come from its {@link Schedule} in the object's zone, skipping excluded dates, and count from
 *       when the controller took the schedule ({@code submittedTime}; a changed schedule is a new job).</li>
 *   <li>The job <em>in effect</em> is the one whose last fire is the latest: its targetSize is the size now. After a
 *       restart or an outage the controller runs that job once, if its fire is within
 *       {@code startingDeadlineSeconds}, else records it Missed; any other job that fired meanwhile was superseded and
 *       is recorded Missed. A fire is handled once ({@code lastScheduleTime}), whatever the outcome.</li>
 *   <li>A run that failed (the target was missing, the API server refused) is tried again with backoff while it is
 *       still the job in effect and within the deadline.</li>
 *   <li>{@code runOnce}: a job that ran is done.</li>
 *   <li>For an HPA target, the floor of the job in effect is held until another job fires ({@link #floor}).</li>
 * </ul>
 */
public record CronHpaPlan(List<JobCondition> conditions, String activeJob, String message, Optional<Run> run, List<JobCondition> missed,
                          Optional<Integer> floor, Optional<Instant> wake) {
    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration LAST_RETRY = Duration.ofMinutes(5);

    /** A job to run now: scale the target to {@code targetSize}; {@code condition} is its entry, to complete. */
    public record Run(JobCondition condition, Instant fire, int targetSize) {
    }

    public static CronHpaPlan plan(CronHpaSpec spec, CronHpaStatus previous, String uid, Instant now, ZoneId defaultZone) {
        CronHpaValidation v = CronHpaValidation.check(spec, defaultZone);
        Map<String, JobCondition> before = new HashMap<>();
        if (previous != null) {
            previous.conditions.forEach(c -> before.put(c.name, c));
        }
        List<JobCondition> conditions = new ArrayList<>();
        if (!v.valid()) {
            // the jobs keep what they recorded: nothing runs until the object is fixed
            spec.jobs.stream().map(j -> before.get(j.name)).filter(Objects::nonNull).forEach(conditions::add);
            return new CronHpaPlan(conditions, previous == null ? null : previous.activeJob, String.join("; ", v.objectProblems()),
                    Optional.empty(), List.of(), Optional.empty(), Optional.empty());
        }
        record Candidate(CronHpaSpec.Job job, JobCondition condition, Schedule schedule, Instant latest) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (CronHpaSpec.Job job : spec.jobs) {
            JobCondition c = condition(before.get(job.name), job, uid, now);
            conditions.add(c);
            String problem = v.jobProblems().get(job.name);
            if (problem != null) {
                if (!problem.equals(c.message)) {
                    c.state = CronHpaStatus.FAILED;
                    c.message = problem;
                    c.lastProbeTime = now.toString();
                }
                c.nextScheduleTime = null;
                continue;
            }
            Schedule schedule = Schedule.parse(job.schedule, v.zone(), Instant.parse(c.submittedTime));
            Instant since = c.lastScheduleTime == null ? Instant.parse(c.submittedTime) : Instant.parse(c.lastScheduleTime);
            Instant latest;
            if (job.once() && c.lastScheduleTime != null) {
                latest = since; // its one fire
                c.nextScheduleTime = null;
            } else {
                latest = latest(schedule, v.excludes(), now, Instant.parse(c.submittedTime)).orElse(null);
                c.nextScheduleTime = next(schedule, v.excludes(), now).map(Instant::toString).orElse(null);
            }
            if (latest != null) {
                candidates.add(new Candidate(job, c, schedule, latest));
            }
        }
        Candidate active = null;
        for (Candidate k : candidates) {
            if (active == null || !k.latest().isBefore(active.latest())) {
                active = k; // the latest fire wins; on a tie, the job listed later
            }
        }
        Long deadline = spec.startingDeadlineSeconds;
        List<JobCondition> missed = new ArrayList<>();
        Optional<Run> run = Optional.empty();
        Instant wake = null;
        for (Candidate k : candidates) {
            JobCondition c = k.condition();
            boolean handled = c.lastScheduleTime != null && !k.latest().isAfter(Instant.parse(c.lastScheduleTime));
            boolean late = deadline != null && Duration.between(k.latest(), now).getSeconds() > deadline;
            if (!handled) {
                if (k != active) {
                    miss(c, k.latest(), now, "superseded by job " + active.job().name + ", which fired later (at " + active.latest() + ")");
                    missed.add(c);
                } else if (late) {
                    miss(c, k.latest(), now, "the fire at " + k.latest() + " was seen at " + now + ", more than startingDeadlineSeconds="
                            + deadline + " late; not run");
                    missed.add(c);
                } else {
                    run = Optional.of(new Run(c, k.latest(), k.job().targetSize));
                }
            } else if (k == active && CronHpaStatus.FAILED.equals(c.state) && c.failures != null && c.failures > 0 && !late) {
                Instant retry = Instant.parse(c.lastProbeTime).plus(backoff(c.failures));
                if (!retry.isAfter(now)) {
                    run = Optional.of(new Run(c, k.latest(), k.job().targetSize));
                } else {
                    wake = retry;
                }
            }
        }
        for (JobCondition c : conditions) {
            if (c.nextScheduleTime != null) {
                Instant n = Instant.parse(c.nextScheduleTime);
                wake = wake == null || n.isBefore(wake) ? n : wake;
            }
        }
        Optional<Integer> floor = active != null && run.isEmpty() && CronHpaStatus.SUCCEED.equals(active.condition().state)
                ? Optional.of(active.job().targetSize) : Optional.empty();
        return new CronHpaPlan(conditions, active == null ? null : active.job().name, null, run, missed, floor, Optional.ofNullable(wake));
    }

    /** The job's entry: carried over while its schedule is the same, else a new submission. */
    private static JobCondition condition(JobCondition old, CronHpaSpec.Job job, String uid, Instant now) {
        JobCondition c = new JobCondition();
        c.name = job.name;
        c.schedule = job.schedule;
        c.targetSize = job.targetSize;
        c.runOnce = job.runOnce;
        if (old != null && Objects.equals(old.schedule, job.schedule) && old.submittedTime != null) {
            c.jobId = old.jobId;
            c.state = old.state;
            c.lastProbeTime = old.lastProbeTime;
            c.submittedTime = old.submittedTime;
            c.lastScheduleTime = old.lastScheduleTime;
            c.message = old.message;
            c.failures = old.failures;
            if (c.message != null && c.message.startsWith("spec.")) {
                c.state = c.lastScheduleTime == null ? CronHpaStatus.SUBMITTED : c.state; // a problem since fixed
                c.message = null;
            }
            return c;
        }
        c.jobId = UUID.nameUUIDFromBytes((uid + "/" + job.name + "/" + job.schedule + "/" + now).getBytes(StandardCharsets.UTF_8)).toString();
        c.state = CronHpaStatus.SUBMITTED;
        c.submittedTime = now.toString();
        c.lastProbeTime = now.toString();
        return c;
    }

    private static void miss(JobCondition c, Instant fire, Instant now, String why) {
        c.state = CronHpaStatus.MISSED;
        c.lastScheduleTime = fire.toString();
        c.lastProbeTime = now.toString();
        c.message = "cron hpa job " + c.name + " missed: " + why;
        c.failures = null;
    }

    static Duration backoff(int failures) {
        Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 10));
        return d.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : d;
    }

    /** The last fire at or before {@code now} and after {@code since}, on a day no excludeDate names. */
    static Optional<Instant> latest(Schedule schedule, List<Schedule> excludes, Instant now, Instant since) {
        Optional<Instant> t = schedule.latest(now);
        for (int i = 0; i < 1000 && t.isPresent() && t.get().isAfter(since); i++) {
            if (!excluded(schedule.wall(t.get()).toLocalDate(), excludes)) {
                return t;
            }
            t = schedule.latest(t.get().minusNanos(1));
        }
        return Optional.empty();
    }

    /** The first fire after {@code now} on a day no excludeDate names. */
    static Optional<Instant> next(Schedule schedule, List<Schedule> excludes, Instant now) {
        Optional<Instant> t = schedule.next(now);
        for (int i = 0; i < 1000 && t.isPresent(); i++) {
            if (!excluded(schedule.wall(t.get()).toLocalDate(), excludes)) {
                return t;
            }
            t = schedule.next(t.get());
        }
        return Optional.empty();
    }

    /** Whether an excludeDate fires on {@code date} at any time of day (only its date fields count, as in the anchor). */
    static boolean excluded(LocalDate date, List<Schedule> excludes) {
        for (Schedule s : excludes) {
            Schedule.Cron cron = (Schedule.Cron) s;
            LocalDateTime start = date.atStartOfDay();
            var n = cron.times().nextExecution(start.minusSeconds(1).atZone(java.time.ZoneOffset.UTC));
            if (n.isPresent() && n.get().toLocalDateTime().isBefore(start.plusDays(1))) {
                return true;
            }
        }
        return false;
    }
}
