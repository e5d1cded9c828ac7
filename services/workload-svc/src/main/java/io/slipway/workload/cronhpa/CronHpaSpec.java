package io.slipway.workload.cronhpa;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** What a CronHPA asks for (the anchor's {@code CronHorizontalPodAutoscalerSpec}, plus a zone and a deadline). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CronHpaSpec {
    /** The workload to scale (anything with a scale subresource), or a HorizontalPodAutoscaler whose bounds move. */
    @Required
    public ScaleTargetRef scaleTargetRef;
    /** Days on which no job runs, as cron expressions of which only the date fields count ({@code "* * * 15 11 *"}). */
    public List<String> excludeDates = new ArrayList<>();
    public List<Job> jobs = new ArrayList<>();
    /** An IANA zone ({@code Europe/Berlin}) the schedules and excludeDates are read in; the controller's default if unset. */
    public String timeZone;
    /**
     * How late a run may start, after a restart or an outage of the controller: a job whose fire was missed by more
     * is recorded as Missed and not run. Unset: no limit (the run in effect is caught up however late).
     */
    public Long startingDeadlineSeconds;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScaleTargetRef {
        public String apiVersion;
        public String kind;
        public String name;

        public ScaleTargetRef() {
        }

        public ScaleTargetRef(String apiVersion, String kind, String name) {
            this.apiVersion = apiVersion;
            this.kind = kind;
            this.name = name;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Job {
        public String name;
        public String schedule;
        public Integer targetSize;
        public Boolean runOnce;

        public Job() {
        }

        public Job(String name, String schedule, int targetSize) {
            this.name = name;
            this.schedule = schedule;
            this.targetSize = targetSize;
        }

        boolean once() {
            return Boolean.TRUE.equals(runOnce);
        }
    }
}
