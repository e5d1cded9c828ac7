package io.slipway.workload.kruise;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** A workload's status conditions, set the way every Kubernetes controller sets them. */
public final class Conditions {
    private Conditions() {
    }

    /** Sets or replaces a status condition, keeping its transition time when its status does not change. */
    public static void set(List<Condition> conditions, String type, String status, String reason, String message, Instant now,
                           Long generation) {
        Condition old = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = old != null && status.equals(old.getStatus()) ? old.getLastTransitionTime()
                : now.truncatedTo(ChronoUnit.SECONDS).toString();
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).withObservedGeneration(generation).build());
    }
}
