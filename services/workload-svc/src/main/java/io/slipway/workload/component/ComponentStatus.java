package io.slipway.workload.component;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the controller did with a Component: its phase, conditions, children and the release in progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComponentStatus {
    public Long observedGeneration;
    /**
     * The version the controller last wrote the object in (the CRD's storage version): once every Component says
     * v1beta1, none is stored as v1alpha1 (see StorageVersions).
     */
    public String storedVersion;
    /** The shard that reconciles it (its {@code controller-id} label's value; "default" without one). */
    public String shard;
    /** Rendering, Releasing, Paused, Ready, Aborted, Invalid, Unmanaged, Queued. */
    public String phase;
    public String message;
    /** The hash of the template layers last applied: a template change is seen as a change of it. */
    public String templateHash;
    /** The templates applied, in merge order ("workload/Deployment builtin", "language/java configmap:rv", ...). */
    public List<String> templates = new ArrayList<>();
    public String workload;
    public Integer replicas;
    public Integer readyReplicas;
    public Integer updatedReplicas;
    public ReleaseStatus release;
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ReleaseStatus {
        /** The pod-template revision being released and the one the pods not yet updated run. */
        public String revision;
        public String stableRevision;
        /** Progressing, StepPaused, Paused, Succeeded, Aborted. */
        public String phase;
        /** Index into spec.release.steps of the step in progress (Gray); the pods it asks for. */
        public Integer step;
        public Integer stepReplicas;
        public String stepReadyTime;
        public String message;
    }
}
