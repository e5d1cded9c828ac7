package io.slipway.provision.run;

import io.slipway.provision.PoolPlan.RolePlan;
import io.slipway.provision.pace.Backoff;
import java.time.Instant;

/**
 * One role's progress in a run: how many nodes it holds (alive, booting or ready), how many creates are asking for
 * more, and when the next create for what is missing may go (after a shortfall, not before its backoff).
 */
final class RoleState {
    final RolePlan plan;
    final Backoff capacityBackoff;
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

    int missing() {
        return plan.count() - alive - inFlight;
    }

    boolean done() {
        return ready >= plan.count();
    }
}
