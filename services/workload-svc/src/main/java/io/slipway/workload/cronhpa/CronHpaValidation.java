package io.slipway.workload.cronhpa;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is wrong with a CronHPA, each problem naming its field ({@code spec.jobs[1] (scale-up).schedule: ...}): problems
 * of the object stop every job; a job's problem stops that job only. The anchor validates nothing and fails at run
 * time, or never runs a job whose schedule it cannot parse.
 */
public record CronHpaValidation(List<String> objectProblems, Map<String, String> jobProblems, ZoneId zone, List<Schedule> excludes) {
    public static final String HPA_KIND = "HorizontalPodAutoscaler";

    public boolean valid() {
        return objectProblems.isEmpty();
    }

    public static CronHpaValidation check(CronHpaSpec spec, ZoneId defaultZone) {
        List<String> object = new ArrayList<>();
        Map<String, String> jobs = new LinkedHashMap<>();
        CronHpaSpec.ScaleTargetRef ref = spec.scaleTargetRef;
        if (ref == null) {
            object.add("spec.scaleTargetRef: Required value");
        } else {
            for (var f : Map.of("apiVersion", String.valueOf(ref.apiVersion), "kind", String.valueOf(ref.kind), "name", String.valueOf(ref.name)).entrySet()) {
                if (f.getValue().equals("null") || f.getValue().isBlank()) {
                    object.add("spec.scaleTargetRef." + f.getKey() + ": Required value");
                }
            }
        }
        ZoneId zone = defaultZone;
        if (spec.timeZone != null && !spec.timeZone.isBlank()) {
            try {
                zone = ZoneId.of(spec.timeZone);
            } catch (DateTimeException e) {
                object.add("spec.timeZone: unknown time zone \"" + spec.timeZone + "\" (an IANA name such as Europe/Berlin or UTC)");
            }
        }
        if (spec.startingDeadlineSeconds != null && spec.startingDeadlineSeconds < 0) {
            object.add("spec.startingDeadlineSeconds: must be 0 or more, got " + spec.startingDeadlineSeconds);
        }
        List<Schedule> excludes = new ArrayList<>();
        for (int i = 0; i < spec.excludeDates.size(); i++) {
            try {
                Schedule s = Schedule.parse(spec.excludeDates.get(i), zone, Instant.EPOCH);
                if (!(s instanceof Schedule.Cron)) {
                    throw new IllegalArgumentException("\"" + spec.excludeDates.get(i) + "\": a date is given as six cron fields");
                }
                excludes.add(s);
            } catch (IllegalArgumentException e) {
                object.add("spec.excludeDates[" + i + "]: " + e.getMessage());
            }
        }
        boolean hpa = ref != null && HPA_KIND.equals(ref.kind);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.jobs.size(); i++) {
            CronHpaSpec.Job job = spec.jobs.get(i);
            String at = "spec.jobs[" + i + "]" + (job.name == null || job.name.isBlank() ? "" : " (" + job.name + ")");
            String problem = null;
            if (job.name == null || job.name.isBlank()) {
                object.add(at + ".name: Required value");
                continue;
            }
            if (!names.add(job.name)) {
                object.add(at + ".name: Duplicate value: \"" + job.name + "\" (job names are unique in one CronHPA)");
                continue;
            }
            try {
                Schedule.parse(job.schedule, zone, Instant.EPOCH);
            } catch (IllegalArgumentException e) {
                problem = at + ".schedule: " + e.getMessage();
            }
            if (problem == null && job.targetSize == null) {
                problem = at + ".targetSize: Required value";
            } else if (problem == null && job.targetSize < 0) {
                problem = at + ".targetSize: must be 0 or more, got " + job.targetSize;
            } else if (problem == null && hpa && job.targetSize < 1) {
                problem = at + ".targetSize: a HorizontalPodAutoscaler's minReplicas is at least 1 (scale to zero needs a "
                        + "Deployment or StatefulSet as scaleTargetRef), got " + job.targetSize;
            }
            if (problem != null) {
                jobs.put(job.name, problem);
            }
        }
        return new CronHpaValidation(object, jobs, zone, excludes);
    }
}
