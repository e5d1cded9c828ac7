package io.slipway.workload.component;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fields of a Component's spec both versions share (v1beta1 adds {@code service}, v1alpha1 {@code svc}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComponentFields {
    public static final List<String> WORKLOAD_TYPES = List.of("Deployment", "StatefulSet", "AdvancedStatefulSet");
    public static final List<String> RUN_TYPES = List.of("server", "worker");

    /** Deployment, StatefulSet or AdvancedStatefulSet (apps.kruise.io/v1beta1 StatefulSet). */
    public String workloadType;
    /** Names the language template (probes, runtime settings): java, go, node, python, ... */
    public String developLanguage;
    /** server: listens on {@code port}, gets a Service and probes; worker: no Service, no port. */
    public String runType;
    public String image;
    public Integer port;
    /** Unset: the workload keeps whatever replicas it has (an HPA or a CronHPA may own them); 1 on creation. */
    public Integer replicas;
    /** Overrides, applied last: environment by name, resources as a whole. */
    public List<EnvVar> env = new ArrayList<>();
    public ResourceRequirements resources;
    /** Labels and annotations added to the pods. */
    public Map<String, String> podLabels = new LinkedHashMap<>();
    public Map<String, String> podAnnotations = new LinkedHashMap<>();
    public Ingress ingress;
    public Release release;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Ingress {
        public String host;
        public String path;
        public String className;
    }

    /** How a change reaches the pods. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Release {
        /** Rolling (default) or Gray. */
        public String strategy;
        /** Gray: each step's updated pods, a count or a percent of replicas; the last is 100% if not given. */
        public List<Step> steps = new ArrayList<>();
        /** Holds the release at its current step. */
        public Boolean paused;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Step {
        /** Updated pods at this step: "1", "20%". */
        public String replicas;
        /**
         * What happens when the step's pods are ready: absent, wait for {@code release-action: resume}; a duration
         * ("30s", "5m"): go on after it.
         */
        public String pause;

        public Step() {
        }

        public Step(String replicas, String pause) {
            this.replicas = replicas;
            this.pause = pause;
        }
    }
}
