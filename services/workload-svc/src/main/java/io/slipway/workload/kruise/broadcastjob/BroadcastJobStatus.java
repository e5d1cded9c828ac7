package io.slipway.workload.kruise.broadcastjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** What the controller observed of a BroadcastJob (Kruise's {@code BroadcastJobStatus}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BroadcastJobStatus {
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    public List<JobCondition> conditions = new ArrayList<>();
    /** When the controller first saw the job (RFC 3339). */
    public String startTime;
    /** When the job completed or failed (RFC 3339). */
    public String completionTime;
    /** Pods running now. */
    public int active;
    /** Pods that reached phase Succeeded. */
    public int succeeded;
    /** Pods that reached phase Failed, and pods past their restart limit. */
    public int failed;
    /** The nodes the job runs a pod on: those its template fits. */
    public int desired;
    /** running, paused, completed or failed. */
    public String phase;
}
