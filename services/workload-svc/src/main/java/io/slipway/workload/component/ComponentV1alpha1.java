package io.slipway.workload.component;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Component as first served, {@code component.slipway.io/v1alpha1}: {@code spec.svc.type} names the Service's
 * type or a cloud load balancer in one word ({@code slb}, {@code slb-intranet}, {@code nlb}, {@code nlb-internal}).
 * Converted to and from the stored v1beta1 by {@link ComponentConversion}, without loss.
 */
@Group(Component.GROUP)
@Version(value = "v1alpha1", storage = false, served = true)
@Kind(Component.KIND)
@Singular("component")
@Plural("components")
@ShortNames("comp")
public class ComponentV1alpha1 extends CustomResource<ComponentV1alpha1.Spec, ComponentStatus> implements Namespaced {
    public static final String API_VERSION = Component.GROUP + "/v1alpha1";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec extends ComponentFields {
        public Svc svc;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Svc {
        /** ClusterIP, NodePort, slb, slb-intranet, nlb, nlb-internal. */
        public String type;
        public Map<String, String> annotations = new LinkedHashMap<>();
    }
}
