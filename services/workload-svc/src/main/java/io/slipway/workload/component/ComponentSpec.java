package io.slipway.workload.component;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Component's spec, v1beta1: the few fields a developer writes; everything else comes from templates. The fields
 * v1alpha1 shares are in {@link ComponentFields}; v1beta1 adds {@code service}, v1alpha1
 * ({@link ComponentV1alpha1.Spec}) has {@code svc} instead.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComponentSpec extends ComponentFields {
    /** v1beta1's Service: a type, or a cloud load balancer by provider and scheme. */
    public Service service;

    /** v1beta1's Service: its type, and a cloud load balancer described by provider and scheme. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Service {
        /** ClusterIP (default), NodePort, or LoadBalancer (implied by loadBalancer). */
        public String type;
        public LoadBalancer loadBalancer;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LoadBalancer {
        /** aliyun-slb, aws-nlb or gcp; the provider's annotations are written for it. */
        public String provider;
        /** internet or intranet. */
        public String scheme;
        /** Further annotations for the Service, passed as they are. */
        public Map<String, String> annotations = new LinkedHashMap<>();
    }
}
