package io.slipway.workload.kruise.broadcastjob;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/** The desired state of a BroadcastJob (Kruise's {@code BroadcastJobSpec}, the same in v1alpha1 and v1beta1). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BroadcastJobSpec {
    public static final String ALWAYS = "Always";
    public static final String NEVER = "Never";
    public static final String CONTINUE = "Continue";
    public static final String FAIL_FAST = "FailFast";
    public static final String PAUSE = "Pause";

    /** Pods running at once: a number, or a percent of the desired pods rounded up; no limit when absent. */
    public IntOrString parallelism;
    /** The pod run on every node it fits. Kept as written (Kruise's schema leaves it open too). */
    @Required
    @SchemaFrom(type = Schemaless.class)
    @PreserveUnknownFields
    public PodTemplateSpec template;
    public CompletionPolicy completionPolicy;
    /** No new pods while true; running ones go on. The controller sets it itself under failurePolicy Pause. */
    public Boolean paused;
    public FailurePolicy failurePolicy;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CompletionPolicy {
        /** Always (the default): the job finishes once every node's pod has; Never: it runs on, and new nodes get a pod. */
        public String type;
        /** Seconds from status.startTime after which an Always job fails and its active pods are deleted. */
        public Long activeDeadlineSeconds;
        /** Seconds from status.completionTime after which a finished Always job is deleted. */
        public Integer ttlSecondsAfterFinished;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FailurePolicy {
        /** FailFast (the default), Continue or Pause: what a failed pod does to the job. */
        public String type;
        /** How many times a node's failed pod is retried before its failure counts. */
        public Integer restartLimit;
    }

    /** The schema of a field Kruise declares schemaless: an object with any fields. */
    public static final class Schemaless {
    }
}
