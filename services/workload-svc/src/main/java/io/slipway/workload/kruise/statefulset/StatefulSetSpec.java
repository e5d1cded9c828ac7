package io.slipway.workload.kruise.statefulset;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.List;
import java.util.Map;

/** The desired state of an Advanced StatefulSet (Kruise's {@code StatefulSetSpec}, v1beta1). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StatefulSetSpec {
    /** Desired pods; 1 when absent. */
    @io.fabric8.kubernetes.model.annotation.SpecReplicas
    public Integer replicas;
    @Required
    public LabelSelector selector;
    @Required
    public PodTemplateSpec template;
    /** A PVC per pod and template, named {@code <template>-<set>-<ordinal>}. */
    public List<PersistentVolumeClaim> volumeClaimTemplates;
    public String serviceName;
    /** OrderedReady (the default) or Parallel. */
    public String podManagementPolicy;
    public UpdateStrategy updateStrategy;
    /** ControllerRevisions kept besides the current and update ones; 10 when absent. */
    public Integer revisionHistoryLimit;
    /** Ordinals skipped: a number, or a range "a-b" (both ends included). */
    public List<IntOrString> reserveOrdinals;
    /** Kruise's pre-delete and in-place-update hooks (kept, not acted on). */
    @PreserveUnknownFields
    public Map<String, Object> lifecycle;
    public ScaleStrategy scaleStrategy;
    public PersistentVolumeClaimRetentionPolicy persistentVolumeClaimRetentionPolicy;
    public Ordinals ordinals;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class UpdateStrategy {
        /** RollingUpdate (the default) or OnDelete. */
        public String type;
        public RollingUpdate rollingUpdate;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RollingUpdate {
        /** Pods with an ordinal below it keep their revision. */
        public Integer partition;
        /** Pods unavailable at once during an update (a number or a percent of replicas); 1 when absent. */
        public IntOrString maxUnavailable;
        /** ReCreate (the default), InPlaceIfPossible or InPlaceOnly. */
        public String podUpdatePolicy;
        public Boolean paused;
        public InPlaceUpdateStrategy inPlaceUpdateStrategy;
        /** Seconds a pod must be ready before it counts as available. */
        public Integer minReadySeconds;
        /** Kruise's priority order for updates (kept; updates go from the highest ordinal down). */
        @PreserveUnknownFields
        public Map<String, Object> unorderedUpdate;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class InPlaceUpdateStrategy {
        /** Seconds between marking a pod not ready and changing its images. */
        public Integer gracePeriodSeconds;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScaleStrategy {
        /** Pods unavailable at once while scaling up with Parallel management. */
        public IntOrString maxUnavailable;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PersistentVolumeClaimRetentionPolicy {
        /** Retain (the default) or Delete: what becomes of the PVCs when the set is deleted. */
        public String whenDeleted;
        /** Retain (the default) or Delete: what becomes of a removed ordinal's PVCs on scale-down. */
        public String whenScaled;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Ordinals {
        /** The first ordinal; 0 when absent. */
        public Integer start;
    }
}
