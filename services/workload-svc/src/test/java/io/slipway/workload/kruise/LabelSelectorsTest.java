package io.slipway.workload.kruise;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {
    private static LabelSelector s(String yaml) {
        return Serialization.unmarshal("---\n" + yaml, LabelSelector.class); // a YAML document, not JSON, though it starts with '{'

    }

    @Test
    void matchesLabelsAndExpressionsAsTheApiServerDoes() {
        LabelSelector sel = s("{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [db]}, {key: canary, operator: DoesNotExist}]}");
        assertThat(LabelSelectors.matches(sel, Map.of("app", "web"))).isTrue();
        assertThat(LabelSelectors.matches(sel, Map.of("app", "web", "tier", "front"))).isTrue();
        assertThat(LabelSelectors.matches(sel, Map.of("app", "web", "tier", "db"))).isFalse();
        assertThat(LabelSelectors.matches(sel, Map.of("app", "web", "canary", "x"))).isFalse();
        assertThat(LabelSelectors.matches(sel, Map.of("app", "api"))).isFalse();
        assertThat(LabelSelectors.matches(s("{}"), Map.of())).isTrue();
        assertThat(LabelSelectors.matches(null, Map.of())).isFalse();
    }

    @Test
    void selectorsOverlapUnlessOneKeyContradicts() {
        assertThat(LabelSelectors.overlap(s("{matchLabels: {app: web}}"), s("{matchLabels: {tier: front}}"))).isTrue();
        assertThat(LabelSelectors.overlap(s("{matchLabels: {app: web}}"), s("{matchLabels: {app: api}}"))).isFalse();
        assertThat(LabelSelectors.overlap(s("{matchLabels: {app: web}}"),
                s("{matchExpressions: [{key: app, operator: In, values: [api, web]}]}"))).isTrue();
        assertThat(LabelSelectors.overlap(s("{matchLabels: {app: web}}"),
                s("{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}"))).isFalse();
        assertThat(LabelSelectors.overlap(s("{matchLabels: {app: web}}"),
                s("{matchExpressions: [{key: app, operator: DoesNotExist}]}"))).isFalse();
        assertThat(LabelSelectors.overlap(s("{matchExpressions: [{key: app, operator: Exists}]}"),
                s("{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}"))).isTrue();
    }

    @Test
    void problemsNameTheField() {
        assertThat(LabelSelectors.problems(s("{matchExpressions: [{key: app, operator: In}]}"), "spec.selector"))
                .containsExactly("spec.selector.matchExpressions[0].values: Required value: must be specified when operator is In");
        assertThat(LabelSelectors.problems(s("{matchExpressions: [{key: app, operator: Equals, values: [a]}]}"), "spec.selector"))
                .singleElement().asString().startsWith("spec.selector.matchExpressions[0].operator: Unsupported value");
    }
}
