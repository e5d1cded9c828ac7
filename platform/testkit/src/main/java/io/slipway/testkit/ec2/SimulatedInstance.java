package io.slipway.testkit.ec2;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One instance's whole life, scheduled when it is launched: the state the API shows is read off this schedule at the
 * moment of each call, so nothing has to run between calls and virtual time can jump.
 */
final class SimulatedInstance {
    final String id;
    final String reservationId;
    final RunInstances launchedBy;
    final int launchIndex;
    final String privateIp;
    final Instant launchedAt;
    final Instant visibleAt;
    /** Null when it never gets there (fails to boot). */
    final Instant runningAt;
    final Instant sshReadyAt;
    Instant shutdownAt;
    Instant terminatedAt;
    String stateReasonCode;
    String stateReasonMessage;

    SimulatedInstance(String id, String reservationId, RunInstances launchedBy, int launchIndex, String privateIp,
                      Instant launchedAt, Instant visibleAt, Instant runningAt, Instant sshReadyAt) {
        this.id = id;
        this.reservationId = reservationId;
        this.launchedBy = launchedBy;
        this.launchIndex = launchIndex;
        this.privateIp = privateIp;
        this.launchedAt = launchedAt;
        this.visibleAt = visibleAt;
        this.runningAt = runningAt;
        this.sshReadyAt = sshReadyAt;
    }

    InstanceState stateAt(Instant t) {
        if (terminatedAt != null && !t.isBefore(terminatedAt)) {
            return InstanceState.TERMINATED;
        }
        if (shutdownAt != null && !t.isBefore(shutdownAt)) {
            return InstanceState.SHUTTING_DOWN;
        }
        if (runningAt != null && !t.isBefore(runningAt)) {
            return InstanceState.RUNNING;
        }
        return InstanceState.PENDING;
    }

    /** Whether describes and terminates see it: not before it propagated, not long after it ended. */
    boolean visibleAt(Instant t, Duration retention) {
        return !t.isBefore(visibleAt) && (terminatedAt == null || t.isBefore(terminatedAt.plus(retention)));
    }

    /** Ends it from {@code at}: shutting down at once, terminated {@code until}; an earlier end stands. */
    void end(Instant at, Instant until, String reasonCode, String reasonMessage) {
        if (shutdownAt != null && !shutdownAt.isAfter(at)) {
            return;
        }
        shutdownAt = at;
        terminatedAt = until;
        stateReasonCode = reasonCode;
        stateReasonMessage = reasonMessage;
    }

    Map<String, String> tags() {
        return launchedBy.tags();
    }

    Ec2Instance viewAt(Instant t) {
        InstanceState state = stateAt(t);
        boolean ended = state == InstanceState.SHUTTING_DOWN || state == InstanceState.TERMINATED;
        return new Ec2Instance(id, reservationId, launchedBy.imageId(), launchedBy.instanceType(), state, privateIp,
                launchIndex, launchedAt, tags(), launchedBy.clientToken(), ended ? stateReasonCode : null,
                ended ? stateReasonMessage : null);
    }
}
