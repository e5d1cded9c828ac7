package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.pace.Backoff;
import java.time.Instant;

/** A create still to be answered: the request (repeated as is after throttling or a transient fault) and when next. */
final class CreateTask {
    final CreateRequest request;
    final RoleState role;
    final boolean journaled;
    final Backoff backoff;
    Instant notBefore;

    CreateTask(CreateRequest request, RoleState role, boolean journaled, Backoff backoff, Instant notBefore) {
        this.request = request;
        this.role = role;
        this.journaled = journaled;
        this.backoff = backoff;
        this.notBefore = notBefore;
    }
}
