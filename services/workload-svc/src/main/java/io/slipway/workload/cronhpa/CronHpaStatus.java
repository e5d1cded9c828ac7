package io.slipway.workload.cronhpa;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * What the controller did: the anchor's per-job {@code conditions} (name, jobId, schedule, targetSize, runOnce, state,
 * lastProbeTime, message) with when each job was submitted, last ran and runs next, the job in effect now, and why
 * the object as a whole is refused, if it is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CronHpaStatus {
    public static final String SUBMITTED = "Submitted";
    public static final String SUCCEED = "Succeed";
    public static final String FAILED = "Failed";
    public static final String MISSED = "Missed";

    public Long observedGeneration;
    public CronHpaSpec.ScaleTargetRef scaleTargetRef;
    public List<String> excludeDates;
    public String timeZone;
    /** The job whose schedule fired last: its targetSize is the size in effect (and the HPA floor held). */
    public String activeJob;
    /** Why no job runs at all (a field of the object is wrong), null when the object is valid. */
    public String message;
    public List<JobCondition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class JobCondition {
        public String name;
        public String jobId;
        public String schedule;
        public Integer targetSize;
        public Boolean runOnce;
        /** Submitted (waiting for its first fire), Succeed, Failed or Missed: the outcome of its last fire. */
        public String state;
        public String lastProbeTime;
        /** When the controller took this schedule: fires before it are not this job's. */
        public String submittedTime;
        /** The fire last handled (run, failed or missed): never handled twice. */
        public String lastScheduleTime;
        public String nextScheduleTime;
        public String message;
        /** Attempts at the last fire that failed (reset by the next fire). */
        public Integer failures;
    }
}
