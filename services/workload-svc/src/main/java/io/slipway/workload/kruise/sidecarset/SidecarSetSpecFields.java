package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/** The fields both versions of a SidecarSet's spec share, named as Kruise names them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarSetSpecFields {
    /** The pods to inject; an empty selector selects none. */
    public LabelSelector selector;
    /** The namespaces whose pods are matched, by their labels; all namespaces when absent. */
    public LabelSelector namespaceSelector;
    /** Init containers injected into new pods, after the pod's own, ordered by name; existing pods keep theirs. */
    public List<SidecarContainer> initContainers;
    /** Sidecar containers injected into new pods and upgraded in place in the pods that run them. */
    public List<SidecarContainer> containers;
    /** Volumes the sidecars mount; a pod's own volume of the same name wins. */
    public List<Volume> volumes;
    public UpdateStrategy updateStrategy;
    public InjectionStrategy injectionStrategy;
    /** Pull secrets added to new pods for the sidecars' images. */
    public List<LocalObjectReference> imagePullSecrets;
    /** ControllerRevisions kept of this SidecarSet; 10 when absent. */
    public Integer revisionHistoryLimit;
    /** Annotations set on the pods it injects. */
    public List<PatchPodMetadata> patchPodMetadata;

    /** How the sidecars of pods already running follow a change of the SidecarSet. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class UpdateStrategy {
        /** RollingUpdate (the default: upgrade in place) or NotUpdate (only new pods get the new sidecars). */
        public String type;
        /** Stops upgrading running pods; injection into new pods goes on. */
        public Boolean paused;
        /** Only pods it selects are upgraded. */
        public LabelSelector selector;
        /** Matched pods that keep their old sidecars: a number, or a percent of the matched pods (rounded up). */
        public IntOrString partition;
        /** Matched pods upgrading or unready after an upgrade at once: a number or a percent (rounded up); 1 when absent. */
        public IntOrString maxUnavailable;
        /** Kruise's weights for the order of upgrades (kept, not acted on). */
        @PreserveUnknownFields
        public Map<String, Object> priorityStrategy;
        /** Kruise's spreading of upgrades over label values (kept, not acted on). */
        public List<ScatterTerm> scatterStrategy;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScatterTerm {
        public String key;
        public String value;
    }

    /** What happens when a pod is created. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class InjectionStrategy {
        /** New pods get none of this SidecarSet's containers; pods that run them still upgrade. */
        public Boolean paused;
        /** Kruise's injection of an older revision (refused by the validating webhook: not supported yet). */
        public InjectRevision revision;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class InjectRevision {
        public String customVersion;
        public String revisionName;
        /** Always or Partial. */
        public String policy;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PatchPodMetadata {
        public Map<String, String> annotations;
        /** Retain (the default: a pod's own value wins), Overwrite, or MergePatchJson (JSON objects merged). */
        public String patchPolicy;
    }
}
