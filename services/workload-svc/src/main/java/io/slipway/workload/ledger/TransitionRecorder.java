package io.slipway.workload.ledger;

import java.util.List;

/** Where a controller reports each look at a workload; the transitions found are published as events. */
public interface TransitionRecorder {
    /** A transition found by comparing two looks at a workload. */
    record Transition(String transition, String pod, String podUid, String revision, String reason) {
    }

    /** Records {@code now} and returns the transitions it found; blocks (call it from a reconciler's thread). */
    List<Transition> record(Observation now);

    /** Forgets what is cached of a workload that is gone. */
    void forget(String uid);
}
