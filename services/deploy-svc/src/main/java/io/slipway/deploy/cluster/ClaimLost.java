package io.slipway.deploy.cluster;

/**
 * The operation is no longer this worker's: its lease lapsed and another instance released it to resume. What the worker
 * still had to record (a step, the outcome) is refused, so that one run at a time writes a cluster's steps and events.
 */
public class ClaimLost extends IllegalStateException {
    public ClaimLost(String cluster, String worker, String holder) {
        super("the operation of cluster " + cluster + " is no longer held by " + worker
                + (holder == null ? " (it was released after its lease lapsed)" : " (" + holder + " holds it now)"));
    }

    /** Whether {@code failure} is, or was caused by, a lost claim. */
    public static boolean in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClaimLost) {
                return true;
            }
        }
        return false;
    }
}
