package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The default scheduler's filter plugins that decide where a pod may go, in the scheduler's order:
 * NodeUnschedulable, TaintToleration (NoSchedule and NoExecute taints), NodeAffinity ({@code nodeSelector} and the
 * required node affinity). Resources, ports, volumes, topology spread and inter-pod affinity are not filtered.
 */
final class SchedulingFilters {
    static final String AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector";
    static final String UNSCHEDULABLE = "node(s) were unschedulable";

    private SchedulingFilters() {
    }

    /** Why {@code node} cannot take {@code pod}, as the scheduler counts it in its message; null if it can. */
    static String unfit(JsonNode pod, JsonNode node) {
        JsonNode tolerations = pod.path("spec").path("tolerations");
        if (node.path("spec").path("unschedulable").asBoolean(false) && !tolerated(tolerations, "node.kubernetes.io/unschedulable", "", "NoSchedule")) {
            return UNSCHEDULABLE;
        }
        for (JsonNode taint : node.path("spec").path("taints")) {
            String effect = taint.path("effect").asText();
            if ((effect.equals("NoSchedule") || effect.equals("NoExecute"))
                    && !tolerated(tolerations, taint.path("key").asText(), taint.path("value").asText(), effect)) {
                return "node(s) had untolerated taint {" + taint.path("key").asText() + ": " + taint.path("value").asText() + "}";
            }
        }
        if (!matchesSelector(pod.path("spec").path("nodeSelector"), node.path("metadata").path("labels"))
                || !matchesRequiredAffinity(pod.path("spec").path("affinity").path("nodeAffinity")
                        .path("requiredDuringSchedulingIgnoredDuringExecution"), node)) {
            return AFFINITY_MISMATCH;
        }
        return null;
    }

    /** v1helper.TolerationsTolerateTaint: some toleration matches the taint's effect, key, and value (or Exists). */
    static boolean tolerated(JsonNode tolerations, String key, String value, String effect) {
        for (JsonNode t : tolerations) {
            String tEffect = t.path("effect").asText("");
            if (!tEffect.isEmpty() && !tEffect.equals(effect)) {
                continue;
            }
            String tKey = t.path("key").asText("");
            String operator = t.path("operator").asText("Equal");
            if (tKey.isEmpty()) {
                if (operator.equals("Exists")) {
                    return true; // an empty key with Exists tolerates everything
                }
                continue;
            }
            if (!tKey.equals(key)) {
                continue;
            }
            if (operator.equals("Exists") || operator.equals("Equal") && t.path("value").asText("").equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesSelector(JsonNode selector, JsonNode labels) {
        Iterator<Map.Entry<String, JsonNode>> required = selector.fields();
        while (required.hasNext()) {
            Map.Entry<String, JsonNode> e = required.next();
            if (!labels.has(e.getKey()) || !labels.get(e.getKey()).asText().equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    /** The terms are ORed; a term ANDs its expressions and fields; a term with neither matches nothing. */
    private static boolean matchesRequiredAffinity(JsonNode required, JsonNode node) {
        if (required.isMissingNode() || required.isNull()) {
            return true;
        }
        for (JsonNode term : required.path("nodeSelectorTerms")) {
            JsonNode expressions = term.path("matchExpressions");
            JsonNode fields = term.path("matchFields");
            if (expressions.isEmpty() && fields.isEmpty()) {
                continue;
            }
            boolean all = true;
            for (JsonNode e : expressions) {
                all &= requirement(e, node.path("metadata").path("labels"));
            }
            for (JsonNode f : fields) {
                all &= field(f, node.path("metadata").path("name").asText());
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean requirement(JsonNode e, JsonNode labels) {
        String key = e.path("key").asText();
        boolean has = labels.has(key);
        String value = has ? labels.get(key).asText() : null;
        JsonNode values = e.path("values");
        return switch (e.path("operator").asText()) {
            case "In" -> has && LabelSelectors.contains(values, value);
            case "NotIn" -> !has || !LabelSelectors.contains(values, value);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            case "Gt" -> has && values.size() == 1 && compare(value, values.get(0).asText()) > 0;
            case "Lt" -> has && values.size() == 1 && compare(value, values.get(0).asText()) < 0;
            default -> false;
        };
    }

    /** Gt/Lt compare integers; a label or value that is none matches nothing. */
    private static int compare(String label, String bound) {
        try {
            return Long.compare(Long.parseLong(label), Long.parseLong(bound));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** matchFields support only metadata.name, with In and NotIn. */
    private static boolean field(JsonNode f, String nodeName) {
        if (!"metadata.name".equals(f.path("key").asText())) {
            return false;
        }
        return switch (f.path("operator").asText()) {
            case "In" -> LabelSelectors.contains(f.path("values"), nodeName);
            case "NotIn" -> !LabelSelectors.contains(f.path("values"), nodeName);
            default -> false;
        };
    }
}
