package io.slipway.workload.component;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What is wrong with a Component's spec, each problem naming its field. */
public final class ComponentValidation {
    static final Map<String, Map<String, String>> LB_ANNOTATIONS = Map.of(
            "aliyun-slb", Map.of("internet", "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type=internet",
                    "intranet", "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type=intranet"),
            "aws-nlb", Map.of("internet", "service.beta.kubernetes.io/aws-load-balancer-scheme=internet-facing",
                    "intranet", "service.beta.kubernetes.io/aws-load-balancer-scheme=internal"),
            "gcp", Map.of("internet", "", "intranet", "networking.gke.io/load-balancer-type=Internal"));

    private ComponentValidation() {
    }

    public static List<String> check(ComponentSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            return List.of("spec: Required value");
        }
        if (spec.workloadType == null) {
            problems.add("spec.workloadType: Required value (one of " + String.join(", ", ComponentFields.WORKLOAD_TYPES) + ")");
        } else if (!ComponentFields.WORKLOAD_TYPES.contains(spec.workloadType)) {
            problems.add("spec.workloadType: Unsupported value: \"" + spec.workloadType + "\" (one of "
                    + String.join(", ", ComponentFields.WORKLOAD_TYPES) + ")");
        }
        if (spec.developLanguage == null || spec.developLanguage.isBlank()) {
            problems.add("spec.developLanguage: Required value");
        }
        String run = runType(spec);
        if (!ComponentFields.RUN_TYPES.contains(run)) {
            problems.add("spec.runType: Unsupported value: \"" + run + "\" (server or worker)");
        }
        if (spec.image == null || spec.image.isBlank()) {
            problems.add("spec.image: Required value");
        } else if (spec.image.chars().anyMatch(Character::isWhitespace)) {
            problems.add("spec.image: Invalid value: \"" + spec.image + "\": an image reference has no spaces");
        }
        if ("server".equals(run) && (spec.port == null || spec.port < 1 || spec.port > 65535)) {
            problems.add("spec.port: " + (spec.port == null ? "Required value (a server listens on a port)" : "Invalid value: " + spec.port
                    + ": must be between 1 and 65535"));
        }
        if ("worker".equals(run) && spec.ingress != null) {
            problems.add("spec.ingress: Forbidden: a worker has no Service to route to (runType: worker)");
        }
        if (spec.replicas != null && spec.replicas < 0) {
            problems.add("spec.replicas: Invalid value: " + spec.replicas + ": must be 0 or more");
        }
        Set<String> env = new HashSet<>();
        for (int i = 0; i < spec.env.size(); i++) {
            String name = spec.env.get(i).getName();
            if (name == null || name.isBlank()) {
                problems.add("spec.env[" + i + "].name: Required value");
            } else if (!env.add(name)) {
                problems.add("spec.env[" + i + "].name: Duplicate value: \"" + name + "\"");
            }
        }
        if (spec.service != null) {
            ComponentSpec.Service s = spec.service;
            if (s.type != null && !List.of("ClusterIP", "NodePort", "LoadBalancer").contains(s.type)) {
                problems.add("spec.service.type: Unsupported value: \"" + s.type + "\" (ClusterIP, NodePort or LoadBalancer)");
            }
            if (s.loadBalancer != null) {
                Map<String, String> schemes = LB_ANNOTATIONS.get(s.loadBalancer.provider);
                if (schemes == null) {
                    problems.add("spec.service.loadBalancer.provider: Unsupported value: \"" + s.loadBalancer.provider
                            + "\" (one of " + String.join(", ", new java.util.TreeSet<>(LB_ANNOTATIONS.keySet())) + ")");
                } else if (s.loadBalancer.scheme != null && !schemes.containsKey(s.loadBalancer.scheme)) {
                    problems.add("spec.service.loadBalancer.scheme: Unsupported value: \"" + s.loadBalancer.scheme + "\" (internet or intranet)");
                }
                if (s.type != null && !s.type.equals("LoadBalancer")) {
                    problems.add("spec.service.type: Invalid value: \"" + s.type + "\": a loadBalancer needs type LoadBalancer (or none)");
                }
            }
        }
        if (spec.ingress != null && (spec.ingress.host == null || spec.ingress.host.isBlank())) {
            problems.add("spec.ingress.host: Required value");
        }
        if (spec.release != null) {
            String strategy = spec.release.strategy == null ? "Rolling" : spec.release.strategy;
            if (!strategy.equals("Rolling") && !strategy.equals("Gray")) {
                problems.add("spec.release.strategy: Unsupported value: \"" + strategy + "\" (Rolling or Gray)");
            }
            if (strategy.equals("Gray") && spec.release.steps.isEmpty()) {
                problems.add("spec.release.steps: Required value (Gray releases in steps, e.g. [1, 20%, 50%, 100%])");
            }
            for (int i = 0; i < spec.release.steps.size(); i++) {
                ComponentSpec.Step step = spec.release.steps.get(i);
                String at = "spec.release.steps[" + i + "]";
                try {
                    GrayRelease.podsAt(step.replicas, 100);
                } catch (IllegalArgumentException e) {
                    problems.add(at + ".replicas: " + e.getMessage());
                }
                if (step.pause != null) {
                    try {
                        GrayRelease.pause(step.pause);
                    } catch (IllegalArgumentException e) {
                        problems.add(at + ".pause: " + e.getMessage());
                    }
                }
            }
        }
        return problems;
    }

    static String runType(ComponentFields spec) {
        return spec.runType == null ? "server" : spec.runType;
    }
}
