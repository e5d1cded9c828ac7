package io.slipway.workload.kruise.broadcastjob;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pod spec fits a node the way the scheduler's filters decide it, as Kruise's BroadcastJob checks it
 * ({@code checkNodeFitness}): the spec's nodeName, nodeSelector and required node affinity, the node's NoSchedule and
 * NoExecute taints against the spec's tolerations, and {@code spec.unschedulable} (tolerated by a toleration of
 * {@code node.kubernetes.io/unschedulable}). A new pod also needs the node Ready. Resources are not counted. Pure.
 */
public final class NodeFit {
    public static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

    /** Which check a node failed, nearest miss first: a node failing a later one matched everything before it. */
    public enum Check {
        NOT_READY("not Ready"), UNSCHEDULABLE("cordoned"), TAINT("with a taint the pod does not tolerate"),
        AFFINITY("outside the required node affinity"), NODE_SELECTOR("outside the nodeSelector"), NODE_NAME("not the pod's nodeName");

        public final String nodes;

        Check(String nodes) {
            this.nodes = nodes;
        }
    }

    /** Why a pod does not fit a node. */
    public record Misfit(Check check, String message) {
    }

    private NodeFit() {
    }

    /** Why a new pod of {@code spec} may not go to {@code node}, or empty when it may. */
    public static Optional<Misfit> forNewPod(PodSpec spec, Node node) {
        if (!ready(node)) {
            return misfit(Check.NOT_READY, "node " + name(node) + " is not Ready");
        }
        return forPod(spec, node);
    }

    /** Why a pod of {@code spec} does not fit {@code node} (readiness aside: a pod already there stays when it turns NotReady). */
    public static Optional<Misfit> forPod(PodSpec spec, Node node) {
        String n = name(node);
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty() && !spec.getNodeName().equals(n)) {
            return misfit(Check.NODE_NAME, "the pod names node " + spec.getNodeName());
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        if (spec.getNodeSelector() != null) {
            for (var e : spec.getNodeSelector().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return misfit(Check.NODE_SELECTOR, "node " + n + " does not match nodeSelector " + e.getKey() + "=" + e.getValue());
                }
            }
        }
        List<NodeSelectorTerm> terms = requiredTerms(spec);
        if (terms != null && terms.stream().noneMatch(t -> matches(t, labels, n))) {
            return misfit(Check.AFFINITY, "node " + n + " does not match the required node affinity");
        }
        List<Toleration> tolerations = spec.getTolerations() == null ? List.of() : spec.getTolerations();
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        for (Taint t : taints) {
            if (("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) && !tolerated(t, tolerations)) {
                return misfit(Check.TAINT, "node " + n + " has taint " + describe(t) + " that the pod does not tolerate");
            }
        }
        boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        Taint cordon = new io.fabric8.kubernetes.api.model.TaintBuilder().withKey(UNSCHEDULABLE_TAINT).withEffect("NoSchedule").build();
        if (unschedulable && !tolerated(cordon, tolerations)) {
            return misfit(Check.UNSCHEDULABLE, "node " + n + " is unschedulable (cordoned)");
        }
        return Optional.empty();
    }

    private static Optional<Misfit> misfit(Check check, String message) {
        return Optional.of(new Misfit(check, message));
    }

    public static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The required terms (ORed), or null when the spec requires none. */
    private static List<NodeSelectorTerm> requiredTerms(PodSpec spec) {
        var affinity = spec.getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return null;
        }
        List<NodeSelectorTerm> terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        return terms == null ? List.of() : terms; // no terms match no node, as the scheduler reads them
    }

    /** A term matches when all its requirements do; a term with none matches no node. */
    static boolean matches(NodeSelectorTerm term, Map<String, String> labels, String nodeName) {
        List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement r : expressions) {
            if (!matches(r, labels.get(r.getKey()), labels.containsKey(r.getKey()))) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : fields) {
            // metadata.name is the only field a node selector may name
            if (!"metadata.name".equals(r.getKey()) || !matches(r, nodeName, true)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(NodeSelectorRequirement r, String value, boolean present) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        return switch (r.getOperator()) {
            case "In" -> present && values.contains(value);
            case "NotIn" -> !present || !values.contains(value);
            case "Exists" -> present;
            case "DoesNotExist" -> !present;
            case "Gt", "Lt" -> present && values.size() == 1 && compare(value, values.get(0), r.getOperator());
            default -> false;
        };
    }

    private static boolean compare(String value, String bound, String operator) {
        try {
            long v = Long.parseLong(value);
            long b = Long.parseLong(bound);
            return "Gt".equals(operator) ? v > b : v < b;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Kubernetes' rule: effect empty or equal; an empty key with Exists matches every key; Equal (the default) compares values. */
    static boolean tolerated(Taint taint, List<Toleration> tolerations) {
        for (Toleration t : tolerations) {
            if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
                continue;
            }
            boolean exists = "Exists".equals(t.getOperator());
            if (t.getKey() == null || t.getKey().isEmpty()) {
                if (exists) {
                    return true;
                }
                continue;
            }
            if (!t.getKey().equals(taint.getKey())) {
                continue;
            }
            if (exists || java.util.Objects.equals(empty(t.getValue()), empty(taint.getValue()))) {
                return true;
            }
        }
        return false;
    }

    private static String empty(String s) {
        return s == null ? "" : s;
    }

    private static String describe(Taint t) {
        return t.getKey() + (t.getValue() == null || t.getValue().isEmpty() ? "" : "=" + t.getValue()) + ":" + t.getEffect();
    }

    private static String name(Node node) {
        return node.getMetadata().getName();
    }
}
