package io.slipway.event.route;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Go-template subset that kube-eventer's and kubernetes-event-exporter's layouts use. */
class TemplateTest {
    private final Map<String, Object> view = EventView.of(warning("BackOff").setNamespace("shop").setMessage("Back-off \"web\"")
            .setInvolvedLabels(Map.of("app.kubernetes.io/name", "web", "team", "pay")).setCount(7).build());

    private String render(String template) {
        return Template.parse(template).render(view);
    }

    @Test
    void fieldsAsKubeEventerNamesThem() {
        assertThat(render("{{ .Type }}/{{ .Reason }} {{ .InvolvedObject.Kind }} {{ .Namespace }}/{{ .InvolvedObject.Name }} x{{ .Count }}"))
                .isEqualTo("Warning/BackOff Pod shop/web-1 x7");
        assertThat(render("{{ .InvolvedObject.Labels.team }}")).isEqualTo("pay");
        // a field that does not exist is Go's "no value" (what kube-eventer prints); a field that is empty prints nothing
        assertThat(render("[{{ .NoSuchField }}][{{ .InvolvedObject.Nope.Deeper }}]")).isEqualTo("[<no value>][<no value>]");
        Map<String, Object> unset = new java.util.HashMap<>();
        unset.put("Cluster", null);
        assertThat(Template.parse("[{{ .Cluster }}]").render(unset)).isEqualTo("[]");
    }

    @Test
    void functionsAndPipes() {
        assertThat(render("{{ index .InvolvedObject.Labels \"app.kubernetes.io/name\" }}")).isEqualTo("web");
        assertThat(render("{{ toJson .InvolvedObject.Labels }}")).isEqualTo("{\"app.kubernetes.io/name\":\"web\",\"team\":\"pay\"}");
        assertThat(render("{{ .Reason | upper }} {{ .Reason | lower }}")).isEqualTo("BACKOFF backoff");
        assertThat(render("{{ quote .Message }}")).isEqualTo("\"Back-off \\\"web\\\"\"");
        assertThat(render("{{ .Missing | default \"none\" }}")).isEqualTo("none");
        assertThat(render("{{ trunc 4 .Reason }}")).isEqualTo("Back");
    }

    @Test
    void trimMarkersEatTheWhitespaceAround() {
        assertThat(render("a   {{- .Reason -}}   b")).isEqualTo("aBackOffb");
    }

    @Test
    void mistakesAreFoundWhenParsing() {
        assertThatThrownBy(() -> Template.parse("{{ .Reason ")).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> Template.parse("{{ shout .Reason }}")).hasMessageContaining("unknown function 'shout'");
        assertThatThrownBy(() -> Template.parse("{{ index .X }}")).hasMessageContaining("index takes 2 or more");
        assertThatThrownBy(() -> Template.parse("{{ .Labels.app.kubernetes.io/name }}")).hasMessageContaining("use index");
    }
}
