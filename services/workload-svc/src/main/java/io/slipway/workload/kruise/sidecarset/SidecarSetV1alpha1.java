package io.slipway.workload.kruise.sidecarset;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The SidecarSet as Kruise served it before 1.9, {@code apps.kruise.io/v1alpha1}: still served, converted to and from
 * the stored v1beta1 by {@link SidecarSetConversion}. It differs in two places: {@code spec.namespace} (v1beta1 says
 * it with a namespaceSelector) and the custom version, a label here and {@code spec.customVersion} there.
 */
@Group(SidecarSet.GROUP)
@Version(value = "v1alpha1", storage = false)
@Kind(SidecarSet.KIND)
@Singular("sidecarset")
@Plural("sidecarsets")
public class SidecarSetV1alpha1 extends CustomResource<SidecarSetV1alpha1.Spec, SidecarSetStatus> {
    public static final String API_VERSION = "apps.kruise.io/v1alpha1";

    /** v1alpha1's spec: v1beta1's without customVersion, with namespace. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public static class Spec extends SidecarSetSpecFields {
        /** Only pods of this namespace are matched; all namespaces when empty. */
        public String namespace;
    }
}
