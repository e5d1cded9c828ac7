package io.slipway.workload.kruise.broadcastjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;

/** One condition of a BroadcastJob (Kruise's {@code JobCondition}: it has a probe time, and no observedGeneration). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobCondition {
    /** Kruise's: every pod finished. */
    public static final String COMPLETE = "Complete";
    /** Kruise's: deadline exceeded, or a failed pod under FailFast. */
    public static final String FAILED = "Failed";
    /** Slipway's: the job is paused, by a user or by failurePolicy Pause. */
    public static final String SUSPENDED = "Suspended";
    /** Slipway's: the job cannot make progress, for no node fits its template. */
    public static final String STALLED = "Stalled";

    @Required
    public String type;
    /** True, False or Unknown. */
    @Required
    public String status;
    public String lastProbeTime;
    public String lastTransitionTime;
    public String reason;
    public String message;

    public JobCondition() {
    }

    public JobCondition(String type, String status, String reason, String message, String at) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.lastProbeTime = at;
        this.lastTransitionTime = at;
    }
}
