package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.PoolPlan.RolePlan;
import io.slipway.provision.pace.Backoff;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One role's progress in a run: how many nodes it holds (alive, booting or ready), how many creates are asking for
 * more, and when the next create for what is missing may go (after a shortfall, not before its backoff). After a
 * restart it first repeats the creates an earlier run journaled, newest first, one at a time, until it holds enough.
 */
final class RoleState {
    final RolePlan plan;
    final Backoff capacityBackoff;
    /** Journaled creates still to repeat, newest first. */
    final Deque<CreateRequest> journaled = new ArrayDeque<>();
    boolean repeating;
    int alive;
    int ready;
    int inFlight;
    int nextAttempt;
    Instant retryAt = Instant.MIN;
    String lastReason;

    RoleState(RolePlan plan, Backoff capacityBackoff) {
        this.plan = plan;
        this.capacityBackoff = capacityBackoff;
    }

    /** Nodes to ask for now: none while journaled creates are still being repeated (they may hold them). */
    int missing() {
        if (repeating || !journaled.isEmpty()) {
            return 0;
        }
        return plan.count() - alive - inFlight;
    }

    boolean done() {
        return ready >= plan.count();
    }
}
