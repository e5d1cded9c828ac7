package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** metav1.LabelSelector matching (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist) on a labels object. */
final class LabelSelectors {
    private LabelSelectors() {
    }

    /** An absent or empty selector matches everything; an unknown operator matches nothing, as the API server fails closed. */
    static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector == null || selector.isNull() || selector.isMissingNode()) {
            return true;
        }
        Iterator<Map.Entry<String, JsonNode>> required = selector.path("matchLabels").fields();
        while (required.hasNext()) {
            Map.Entry<String, JsonNode> label = required.next();
            if (!labels.has(label.getKey()) || !labels.get(label.getKey()).asText().equals(label.getValue().asText())) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            boolean has = labels.has(key);
            String value = has ? labels.get(key).asText() : null;
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> has && contains(expression.path("values"), value);
                case "NotIn" -> !has || !contains(expression.path("values"), value);
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static boolean contains(JsonNode values, String value) {
        for (JsonNode v : values) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
