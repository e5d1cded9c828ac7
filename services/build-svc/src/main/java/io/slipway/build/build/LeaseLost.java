package io.slipway.build.build;

/**
 * The build is no longer this worker's: its lease lapsed and another instance put it back to Requested (BuildRequeued).
 * What the worker still had to record is refused, so that the build's events come from one run only.
 */
public class LeaseLost extends IllegalStateException {
    public LeaseLost(String buildId, String worker, String holder) {
        super("build " + buildId + " is no longer run by " + worker + " (it was requeued after its lease lapsed"
                + (holder == null ? "" : "; " + holder + " runs it now") + ")");
    }
}
