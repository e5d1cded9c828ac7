package io.slipway.workload.progress;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * A rollout's phase and its why, read from the conditions Advanced StatefulSets and SidecarSets share:
 * {@code RolloutFinished}, {@code Paused} and {@code InPlaceUpdateBlocked}; Progressing while none is True.
 */
public record RolloutPhase(String phase, String message) {
    public static final String FINISHED = "RolloutFinished";
    public static final String PAUSED = "Paused";
    public static final String BLOCKED = "InPlaceUpdateBlocked";

    public static RolloutPhase of(List<Condition> conditions) {
        String phase = "Progressing";
        String message = "";
        for (Condition c : conditions) {
            if ("True".equals(c.getStatus())) {
                String p = switch (c.getType()) {
                    case FINISHED -> "Finished";
                    case PAUSED -> "Paused";
                    case BLOCKED -> "Blocked";
                    default -> null;
                };
                if (p != null) {
                    phase = p;
                    message = c.getMessage() == null ? "" : c.getMessage();
                }
            } else if (FINISHED.equals(c.getType()) && message.isEmpty() && c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return new RolloutPhase(phase, message);
    }

    /** Nothing left to do for the generation seen: finished, paused or blocked. */
    public boolean settles() {
        return !"Progressing".equals(phase);
    }
}
