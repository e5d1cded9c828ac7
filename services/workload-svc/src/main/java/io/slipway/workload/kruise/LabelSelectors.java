package io.slipway.workload.kruise;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes label selectors read the way the API server reads them (an empty selector selects everything, a null one
 * nothing), whether two selectors can select one object, and what is wrong with a selector, field by field.
 */
public final class LabelSelectors {
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private LabelSelectors() {
    }

    public static boolean empty(LabelSelector s) {
        return s == null || size(s.getMatchLabels()) + size(s.getMatchExpressions()) == 0;
    }

    /** Whether {@code selector} selects an object with {@code labels}. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = l.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether some set of labels satisfies both selectors. Exact: requirements on different keys are independent, so
     * the selectors overlap unless the requirements on one key contradict each other. Null selects nothing.
     */
    public static boolean overlap(LabelSelector a, LabelSelector b) {
        if (a == null || b == null) {
            return false;
        }
        Map<String, KeyRequirements> keys = new HashMap<>();
        for (LabelSelector s : List.of(a, b)) {
            if (s.getMatchLabels() != null) {
                s.getMatchLabels().forEach((k, v) -> keys.computeIfAbsent(k, x -> new KeyRequirements()).allow(Set.of(v)));
            }
            if (s.getMatchExpressions() != null) {
                for (LabelSelectorRequirement r : s.getMatchExpressions()) {
                    KeyRequirements k = keys.computeIfAbsent(r.getKey(), x -> new KeyRequirements());
                    Set<String> values = new HashSet<>(r.getValues() == null ? List.of() : r.getValues());
                    switch (r.getOperator()) {
                        case "In" -> k.allow(values);
                        case "NotIn" -> k.excluded.addAll(values);
                        case "Exists" -> k.mustExist = true;
                        case "DoesNotExist" -> k.mustNotExist = true;
                        default -> {
                            return false;
                        }
                    }
                }
            }
        }
        return keys.values().stream().allMatch(KeyRequirements::satisfiable);
    }

    /** What is wrong with a selector, each message naming the field under {@code path}; empty when it is valid. */
    public static List<String> problems(LabelSelector s, String path) {
        List<String> problems = new ArrayList<>();
        if (s.getMatchExpressions() != null) {
            for (int i = 0; i < s.getMatchExpressions().size(); i++) {
                LabelSelectorRequirement r = s.getMatchExpressions().get(i);
                String at = path + ".matchExpressions[" + i + "]";
                if (r.getKey() == null || r.getKey().isEmpty()) {
                    problems.add(at + ".key: Required value");
                }
                if (!OPERATORS.contains(String.valueOf(r.getOperator()))) {
                    problems.add(at + ".operator: Unsupported value: \"" + r.getOperator() + "\": supported values: In, NotIn, Exists, DoesNotExist");
                    continue;
                }
                boolean needsValues = r.getOperator().equals("In") || r.getOperator().equals("NotIn");
                if (needsValues && size(r.getValues()) == 0) {
                    problems.add(at + ".values: Required value: must be specified when operator is " + r.getOperator());
                } else if (!needsValues && size(r.getValues()) > 0) {
                    problems.add(at + ".values: Forbidden: may not be specified when operator is " + r.getOperator());
                }
            }
        }
        return problems;
    }

    private static int size(java.util.Collection<?> c) {
        return c == null ? 0 : c.size();
    }

    private static int size(Map<?, ?> m) {
        return m == null ? 0 : m.size();
    }

    /** What both selectors ask of one key: values it may take (null: any), values it may not, and its presence. */
    private static final class KeyRequirements {
        Set<String> allowed;
        final Set<String> excluded = new HashSet<>();
        boolean mustExist;
        boolean mustNotExist;

        void allow(Set<String> values) {
            if (allowed == null) {
                allowed = new HashSet<>(values);
            } else {
                allowed.retainAll(values);
            }
        }

        boolean satisfiable() {
            boolean present = mustExist || allowed != null;
            if (mustNotExist) {
                return !present;
            }
            return allowed == null || allowed.stream().anyMatch(v -> !excluded.contains(v));
        }
    }
}
