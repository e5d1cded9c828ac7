package io.slipway.workload.kruise.sidecarset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class SidecarSetConversionTest {
    static ObjectNode json(String yaml) {
        return Serialization.unmarshal(yaml, ObjectNode.class);
    }

    @Test
    void v1alpha1sNamespaceBecomesANamespaceSelectorRequirementBesideItsSelector() {
        ObjectNode alpha = json("""
                apiVersion: apps.kruise.io/v1alpha1
                kind: SidecarSet
                metadata: {name: mesh, labels: {apps.kruise.io/sidecarset-custom-version: v2, team: a}}
                spec:
                  namespace: shop
                  namespaceSelector: {matchLabels: {env: prod}}
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1, podInjectPolicy: AfterAppContainer, somethingNew: 1}]
                status: {matchedPods: 2, updatedPods: 1, readyPods: 2, latestRevision: mesh-abc}
                """);

        ObjectNode beta = SidecarSetConversion.toV1beta1(alpha);

        assertThat(beta.path("apiVersion").asText()).isEqualTo("apps.kruise.io/v1beta1");
        assertThat(beta.path("spec").has("namespace")).isFalse();
        assertThat(beta.path("spec").path("namespaceSelector")).isEqualTo(json("matchLabels: {env: prod, kubernetes.io/metadata.name: shop}"));
        assertThat(beta.path("spec").path("customVersion").asText()).isEqualTo("v2");
        assertThat(beta.path("metadata").path("labels")).isEqualTo(json("team: a"));
        assertThat(beta.path("spec").path("containers").get(0).path("somethingNew").asInt()).isEqualTo(1);
        assertThat(beta.path("status")).isEqualTo(alpha.path("status"));
        assertThat(SidecarSetConversion.toV1alpha1(beta)).isEqualTo(alpha);
    }

    @Test
    void aV1beta1ObjectSurvivesARoundTripThroughV1alpha1() {
        ObjectNode beta = json("""
                apiVersion: apps.kruise.io/v1beta1
                kind: SidecarSet
                metadata: {name: mesh}
                spec:
                  customVersion: v3
                  namespaceSelector: {matchExpressions: [{key: env, operator: In, values: [prod]}]}
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1}]
                """);

        ObjectNode alpha = SidecarSetConversion.toV1alpha1(beta);

        assertThat(alpha.path("metadata").path("labels").path("apps.kruise.io/sidecarset-custom-version").asText()).isEqualTo("v3");
        assertThat(alpha.path("spec").has("namespace")).isFalse();
        assertThat(SidecarSetConversion.toV1beta1(alpha)).isEqualTo(beta);
    }

    @Test
    void typedObjectsConvertToo() {
        SidecarSetV1alpha1 alpha = Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1alpha1
                kind: SidecarSet
                metadata: {name: mesh}
                spec:
                  namespace: shop
                  selector: {matchLabels: {app: web}}
                  containers: [{name: proxy, image: envoy:1}]
                """, SidecarSetV1alpha1.class);

        SidecarSet beta = SidecarSetConversion.toV1beta1(alpha);

        assertThat(beta.getApiVersion()).isEqualTo("apps.kruise.io/v1beta1");
        assertThat(beta.getSpec().namespaceSelector.getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "shop");
        assertThat(beta.getSpec().containers.get(0).getImage()).isEqualTo("envoy:1");
        assertThat(SidecarSetConversion.toV1alpha1(beta).getSpec().namespace).isEqualTo("shop");
    }
}
