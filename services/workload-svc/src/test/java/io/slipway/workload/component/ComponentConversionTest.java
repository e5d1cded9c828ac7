package io.slipway.workload.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.workload.conversion.Conversions;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** v1alpha1 ⇄ v1beta1 through the hub, without loss in either direction, for every shape of Service. */
class ComponentConversionTest {
    private static ObjectNode yaml(String text) {
        return Serialization.unmarshal(text, ObjectNode.class);
    }

    private static final String COMMON = """
              workloadType: Deployment
              developLanguage: java
              image: registry.local/orders:1
              port: 8080
              env: [{name: MODE, value: live}]
              release: {strategy: Gray, steps: [{replicas: "1"}, {replicas: "50%", pause: 5m}]}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"svc: {type: slb}", "svc: {type: slb-intranet, annotations: {a: b}}", "svc: {type: nlb-internal}",
            "svc: {type: ClusterIP}", "svc: {type: NodePort, annotations: {x: y}}", "svc: {type: elb-classic}", "svc: {}", "{}"})
    void v1alpha1RoundTripsThroughTheHub(String svc) {
        ObjectNode alpha = yaml("apiVersion: component.slipway.io/v1alpha1\nkind: Component\nmetadata: {name: orders, namespace: team-a, "
                + "annotations: {owner: team-a}}\nspec:\n" + COMMON + (svc.equals("{}") ? "" : "  " + svc + "\n"));
        ObjectNode beta = ComponentConversion.to(Component.API_VERSION, alpha);
        assertThat(beta.path("apiVersion").asText()).isEqualTo(Component.API_VERSION);
        assertThat(beta.path("spec").has("svc")).isFalse();
        assertThat(ComponentConversion.to(ComponentV1alpha1.API_VERSION, beta)).isEqualTo(alpha);
    }

    @ParameterizedTest
    @ValueSource(strings = {"service: {loadBalancer: {provider: aliyun-slb, scheme: internet}}",
            "service: {loadBalancer: {provider: aws-nlb, scheme: intranet, annotations: {team: a}}}",
            "service: {loadBalancer: {provider: gcp, scheme: intranet}}", "service: {type: LoadBalancer, loadBalancer: {provider: aliyun-slb, scheme: internet}}",
            "service: {type: NodePort}", "service: {}", "{}"})
    void v1beta1RoundTripsThroughV1alpha1(String service) {
        ObjectNode beta = yaml("apiVersion: component.slipway.io/v1beta1\nkind: Component\nmetadata: {name: orders, namespace: team-a}\nspec:\n"
                + COMMON + (service.equals("{}") ? "" : "  " + service + "\n"));
        ObjectNode alpha = ComponentConversion.to(ComponentV1alpha1.API_VERSION, beta);
        assertThat(alpha.path("spec").has("service")).isFalse();
        assertThat(ComponentConversion.to(Component.API_VERSION, alpha)).isEqualTo(beta);
    }

    @Test
    void theServiceMapsToTheOtherVersionsWords() {
        ObjectNode alpha = yaml("apiVersion: component.slipway.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec:\n"
                + "  svc: {type: slb-intranet, annotations: {k: v}}\n");
        ObjectNode beta = ComponentConversion.to(Component.API_VERSION, alpha);
        assertThat(beta.path("spec").path("service")).isEqualTo(yaml("loadBalancer: {provider: aliyun-slb, scheme: intranet, annotations: {k: v}}"));
        assertThat(beta.path("metadata").has("annotations")).isFalse(); // nothing had to be kept aside

        ObjectNode gcp = yaml("apiVersion: component.slipway.io/v1beta1\nkind: Component\nmetadata: {name: a}\nspec:\n"
                + "  service: {loadBalancer: {provider: gcp, scheme: internet}}\n");
        ObjectNode old = ComponentConversion.to(ComponentV1alpha1.API_VERSION, gcp);
        assertThat(old.path("spec").has("svc")).isFalse(); // v1alpha1 has no word for it: kept whole
        assertThat(old.path("metadata").path("annotations").path(ComponentConversion.KEPT_SERVICE).asText()).contains("gcp");
    }

    @Test
    void aV1alpha1EditOfAConvertedObjectWinsOverWhatWasKeptAside() {
        ObjectNode beta = yaml("apiVersion: component.slipway.io/v1beta1\nkind: Component\nmetadata: {name: a}\nspec:\n"
                + "  service: {type: LoadBalancer, loadBalancer: {provider: aliyun-slb, scheme: internet}}\n");
        ObjectNode alpha = ComponentConversion.to(ComponentV1alpha1.API_VERSION, beta);
        ((ObjectNode) alpha.path("spec").path("svc")).put("type", "nlb");
        ObjectNode back = ComponentConversion.to(Component.API_VERSION, alpha);
        assertThat(back.path("spec").path("service")).isEqualTo(yaml("loadBalancer: {provider: aws-nlb, scheme: internet}"));
        assertThat(back.path("metadata").path("annotations").path(ComponentConversion.KEPT_SERVICE).isMissingNode()).isTrue();
    }

    @Test
    void theConversionWebhookRoutesComponentsAndRefusesAnUnknownVersion() {
        ObjectNode alpha = yaml("apiVersion: component.slipway.io/v1alpha1\nkind: Component\nmetadata: {name: a, namespace: n}\nspec: {svc: {type: slb}}\n");
        var outcome = Conversions.convert(Component.API_VERSION, List.of(alpha));
        assertThat(outcome).isInstanceOfSatisfying(Conversions.Converted.class, c ->
                assertThat(c.objects().get(0).path("spec").path("service").path("loadBalancer").path("provider").asText()).isEqualTo("aliyun-slb"));
        assertThat(Conversions.convert("component.slipway.io/v2", List.of(alpha))).isInstanceOfSatisfying(Conversions.Refused.class,
                r -> assertThat(r.message()).contains("Component n/a").contains("no version component.slipway.io/v2"));
        assertThatThrownBy(() -> ComponentConversion.to(Component.API_VERSION, yaml("apiVersion: component.slipway.io/v0\nkind: Component\n")))
                .hasMessageContaining("no version component.slipway.io/v0");
    }
}
