package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * OpenKruise's SidecarSet, {@code apps.kruise.io/v1beta1}, the version Kruise stores since 1.9: sidecar containers,
 * init containers and volumes injected into the pods it selects when they are created, and upgraded in place in the
 * pods that run them. Cluster-scoped. Field names are Kruise's, so its manifests apply unchanged.
 */
@Group(SidecarSet.GROUP)
@Version(value = "v1beta1", storage = true)
@Kind(SidecarSet.KIND)
@Singular("sidecarset")
@Plural("sidecarsets")
public class SidecarSet extends CustomResource<SidecarSetSpec, SidecarSetStatus> {
    public static final String GROUP = "apps.kruise.io";
    public static final String API_VERSION = "apps.kruise.io/v1beta1";
    public static final String KIND = "SidecarSet";
}
