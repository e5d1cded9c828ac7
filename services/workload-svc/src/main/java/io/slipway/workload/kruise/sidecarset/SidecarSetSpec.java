package io.slipway.workload.kruise.sidecarset;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The desired state of a SidecarSet (Kruise's {@code SidecarSetSpec}, v1beta1). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarSetSpec extends SidecarSetSpecFields {
    /**
     * A name for this version of the SidecarSet, copied to its ControllerRevision as label
     * {@code apps.kruise.io/sidecarset-custom-version} (v1alpha1 set that label on the SidecarSet itself).
     */
    public String customVersion;
}
