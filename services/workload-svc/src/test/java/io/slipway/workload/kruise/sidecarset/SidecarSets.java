package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;

/** SidecarSets and pods for the tests, from YAML as users write them. */
final class SidecarSets {
    private SidecarSets() {
    }

    static SidecarSet sidecarSet(String yaml) {
        return Serialization.unmarshal(yaml, SidecarSet.class);
    }

    static Pod pod(String yaml) {
        return Serialization.unmarshal(yaml, Pod.class);
    }
}
