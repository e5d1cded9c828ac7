package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the controller observed (Kruise's {@code SidecarSetStatus}; {@code conditions} are Slipway's). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarSetStatus {
    public Long observedGeneration;
    /** Pods the SidecarSet selects that run its sidecars. */
    @PrinterColumn(name = "MATCHED")
    public Integer matchedPods;
    /** Matched pods that run its latest revision. */
    @PrinterColumn(name = "UPDATED")
    public Integer updatedPods;
    /** Matched pods that are ready. */
    @PrinterColumn(name = "READY")
    public Integer readyPods;
    public Integer updatedReadyPods;
    /** The ControllerRevision of the latest revision. */
    public String latestRevision;
    public Integer collisionCount;
    /** Paused, InPlaceUpdateBlocked (a change beyond images: which pods, which fields) and RolloutFinished. */
    public List<Condition> conditions = new ArrayList<>();
}
