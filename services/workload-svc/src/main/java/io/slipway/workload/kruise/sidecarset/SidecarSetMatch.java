package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.api.model.Pod;
import io.slipway.workload.kruise.LabelSelectors;
import java.util.HashMap;
import java.util.Map;

/** Which pods a SidecarSet selects: its selector (an empty one selects none, as in Kruise) in the namespaces it selects. */
public final class SidecarSetMatch {
    private SidecarSetMatch() {
    }

    /**
     * Whether {@code set} selects a pod with {@code podLabels} in a namespace with {@code namespaceLabels} (see
     * {@link #namespaceLabels}).
     */
    public static boolean selects(SidecarSet set, Map<String, String> podLabels, Map<String, String> namespaceLabels) {
        SidecarSetSpec spec = set.getSpec();
        if (spec == null || LabelSelectors.empty(spec.selector) || !LabelSelectors.matches(spec.selector, podLabels)) {
            return false;
        }
        return spec.namespaceSelector == null || LabelSelectors.matches(spec.namespaceSelector, namespaceLabels);
    }

    public static boolean selects(SidecarSet set, Pod pod, Map<String, String> namespaceLabels) {
        return selects(set, pod.getMetadata().getLabels(), namespaceLabels);
    }

    /**
     * A namespace's labels as selectors see them: with {@code kubernetes.io/metadata.name}, which the API server sets
     * on every namespace, even when the namespace object was not found.
     */
    public static Map<String, String> namespaceLabels(String namespace, Map<String, String> labels) {
        Map<String, String> l = new HashMap<>(labels == null ? Map.of() : labels);
        l.put(SidecarSetConversion.NAMESPACE_NAME_LABEL, namespace);
        return l;
    }

    public static boolean injectionPaused(SidecarSet set) {
        return set.getSpec() != null && set.getSpec().injectionStrategy != null && Boolean.TRUE.equals(set.getSpec().injectionStrategy.paused);
    }
}
