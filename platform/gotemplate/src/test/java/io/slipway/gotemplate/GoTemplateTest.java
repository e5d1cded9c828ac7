package io.slipway.gotemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Go text/template language as sealer's and kube-eventer's users write it. Expected outputs are what Go's
 * text/template gives for the same template on {@code map[string]any} data (with sprig's functions).
 */
class GoTemplateTest {
    private static final Map<String, Object> DATA = data();

    static Map<String, Object> data() {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("team", "pay");
        labels.put("app.kubernetes.io/name", "web");
        Map<String, Object> involved = new LinkedHashMap<>();
        involved.put("Kind", "Pod");
        involved.put("Labels", labels);
        Map<String, Object> d = new HashMap<>();
        d.put("Reason", "BackOff");
        d.put("Message", "Back-off \"web\"");
        d.put("Count", 7);
        d.put("Zero", 0);
        d.put("Empty", "");
        d.put("False", "false");
        d.put("Null", null);
        d.put("InvolvedObject", involved);
        d.put("Masters", List.of("10.0.0.1", "10.0.0.2"));
        d.put("Hosts", List.of(Map.of("ip", "10.0.0.1", "roles", List.of("master", "etcd")), Map.of("ip", "10.0.0.9", "roles", List.of())));
        d.put("Ports", Map.of("https", 443, "http", 80));
        return d;
    }

    private static String render(String template) {
        return GoTemplate.parse("t.tmpl", template).render(DATA);
    }

    @Test
    void fieldsDotAndRoot() {
        assertThat(render("{{ .Reason }} {{ .InvolvedObject.Kind }} {{ .InvolvedObject.Labels.team }} x{{ .Count }}"))
                .isEqualTo("BackOff Pod pay x7");
        assertThat(render("{{ with .InvolvedObject }}{{ .Kind }}/{{ $.Reason }}{{ end }}")).isEqualTo("Pod/BackOff");
        assertThat(render("{{ index .InvolvedObject.Labels \"app.kubernetes.io/name\" }}")).isEqualTo("web");
        assertThat(render("{{ (index .Hosts 1).ip }}")).isEqualTo("10.0.0.9");
        assertThat(render("{{ index .Masters 0 }} {{ len .Masters }} {{ len .Reason }}")).isEqualTo("10.0.0.1 2 7");
    }

    @Test
    void aKeyThatIsNotSetIsNoValueAsInGo() {
        // printed as Go prints it, false in if, replaced by default, nothing to range over; a key set to null prints as nothing
        assertThat(render("[{{ .Nope }}][{{ .InvolvedObject.Nope.Deeper }}][{{ .Null }}]")).isEqualTo("[<no value>][<no value>][]");
        assertThat(render("{{ if .Nope }}yes{{ else }}no{{ end }} {{ .Nope | default \"fallback\" }} {{ default \"d\" .Empty }}"))
                .isEqualTo("no fallback d");
        assertThat(render("{{ range .Nope }}x{{ else }}nothing{{ end }}")).isEqualTo("nothing");
        assertThat(render("{{ index .InvolvedObject.Labels \"absent\" }}")).isEqualTo("<no value>");
        assertThat(render("{{ quote .Nope }}|{{ upper .Nope }}|{{ toJson .Nope }}")).isEqualTo("||null");
    }

    @Test
    void strictPrintingOfAKeyThatIsNotSetNamesItAndItsLine() {
        GoTemplate t = GoTemplate.parse("etc/x.tmpl", "line1\n{{ if .Nope }}{{ .Nope }}{{ end }}{{ .Nope | default \"ok\" }}\nline3 {{ .Port }}");
        assertThatThrownBy(() -> t.render(DATA, GoTemplate.Options.GO.strict())).isInstanceOfSatisfying(TemplateError.class, e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.missingKey()).isEqualTo("Port");
            assertThat(e.getMessage()).isEqualTo("etc/x.tmpl:3: key .Port is not set");
        });
        assertThat(GoTemplate.parse("x", "{{ index . \"etcd-dir\" }}").render(Map.of(), GoTemplate.Options.GO)).isEqualTo("<no value>");
        assertThatThrownBy(() -> GoTemplate.parse("x", "{{ index . \"etcd-dir\" }}").render(Map.of(), GoTemplate.Options.GO.strict()))
                .isInstanceOfSatisfying(TemplateError.class, e -> assertThat(e.missingKey()).isEqualTo("etcd-dir"));
    }

    @Test
    void truthIsGos() {
        assertThat(render("{{ if .Zero }}1{{ end }}{{ if .Empty }}2{{ end }}{{ if .False }}3{{ end }}{{ if .Null }}4{{ end }}"
                + "{{ if .Masters }}5{{ end }}{{ if not .Zero }}6{{ end }}")).isEqualTo("356");
        assertThat(render("{{ and .Reason .Zero }}|{{ or .Empty .Reason }}|{{ eq .Count 7 }}|{{ ne .Reason \"x\" }}|{{ eq .Reason \"a\" \"BackOff\" }}"))
                .isEqualTo("0|BackOff|true|true|true");
    }

    @Test
    void elseIfChainsAndNestedConditions() {
        String t = "{{ if eq .Count 1 }}one{{ else if eq .Count 7 }}{{ if .Reason }}seven:{{ .Reason }}{{ end }}{{ else }}other{{ end }}";
        assertThat(render(t)).isEqualTo("seven:BackOff");
        assertThat(render("{{ if .Nope }}a{{ else if .Empty }}b{{ else }}c{{ end }}")).isEqualTo("c");
    }

    @Test
    void rangesNestVariablesScopeAndMapsRangeInKeyOrder() {
        assertThat(render("{{ range $i, $m := .Masters }}{{ if $i }},{{ end }}m{{ $i }}={{ $m }}{{ end }}"))
                .isEqualTo("m0=10.0.0.1,m1=10.0.0.2");
        // nested range: the inner one sees the outer's variable and $, dot is the inner item
        assertThat(render("{{ range $h := .Hosts }}{{ $h.ip }}:{{ range .roles }}[{{ . }}@{{ $h.ip }}/{{ $.Reason }}]{{ else }}none{{ end }};{{ end }}"))
                .isEqualTo("10.0.0.1:[master@10.0.0.1/BackOff][etcd@10.0.0.1/BackOff];10.0.0.9:none;");
        assertThat(render("{{ range $k, $v := .Ports }}{{ $k }}={{ $v }} {{ end }}")).isEqualTo("http=80 https=443 ");
        // a variable declared outside and assigned inside keeps the last value (Go 1.11+)
        assertThat(render("{{ $last := \"\" }}{{ range .Masters }}{{ $last = . }}{{ end }}{{ $last }}")).isEqualTo("10.0.0.2");
        // one declared inside a block ends with it
        assertThatThrownBy(() -> render("{{ range .Masters }}{{ $x := . }}{{ end }}{{ $x }}")).hasMessageContaining("undefined variable $x");
    }

    @Test
    void anErrorInsideARangeNamesTheLineOfTheActionThatFailed() {
        String t = "hosts:\n{{ range .Hosts }}\n  - {{ .ip }}\n  - {{ .ip.port }}\n{{ end }}";
        assertThatThrownBy(() -> render(t)).isInstanceOfSatisfying(TemplateError.class, e -> {
            assertThat(e.line()).isEqualTo(4);
            assertThat(e.problem()).isEqualTo("cannot read field .port of a string");
        });
        assertThatThrownBy(() -> render("{{ range .Reason }}x{{ end }}")).hasMessageContaining("range cannot iterate over a string");
        assertThat(GoTemplate.parse("x", "{{ range .Reason }}[{{ . }}]{{ end }}")
                .render(DATA, GoTemplate.Options.GO.ranging(v -> Arrays.asList(v.toString().split("O"))))).isEqualTo("[Back][ff]");
    }

    @Test
    void functionsPipesAndParentheses() {
        assertThat(render("{{ .Reason | upper }} {{ .Reason | lower }} {{ .Reason | trunc 4 }} {{ trunc -3 .Reason }}"))
                .isEqualTo("BACKOFF backoff Back Off");
        assertThat(render("{{ quote .Message }}")).isEqualTo("\"Back-off \\\"web\\\"\"");
        assertThat(render("{{ toJson .InvolvedObject.Labels }}")).isEqualTo("{\"team\":\"pay\",\"app.kubernetes.io/name\":\"web\"}");
        assertThat(render("{{ toPrettyJson .Ports }}")).contains("\n").contains("\"https\" : 443");
        assertThat(render("{{ upper (index .InvolvedObject.Labels \"team\") | quote }}")).isEqualTo("\"PAY\"");
        assertThat(render("{{ .Masters }} {{ .Ports }}")).isEqualTo("[10.0.0.1 10.0.0.2] map[http:80 https:443]");
        assertThat(GoTemplate.parse("x", "{{ .Masters }}").render(DATA, GoTemplate.Options.GO.printing(v -> "custom")))
                .isEqualTo("custom");
    }

    @Test
    void trimMarkersCommentsAndQuotedBraces() {
        assertThat(render("a   {{- .Reason -}}   b")).isEqualTo("aBackOffb");
        assertThat(render("a\n  {{- /* a comment */ -}}\n  b{{/* another */}}")).isEqualTo("ab");
        assertThat(render("{{-3}}|{{ \"}}\" }}|{{ `raw \\n` }}")).isEqualTo("-3|}}|raw \\n");
        assertThat(GoTemplate.parse("x", "plain").isConstant()).isTrue();
        assertThat(GoTemplate.parse("x", "{{ . }}").isConstant()).isFalse();
    }

    @Test
    void mistakesAreFoundWhenParsingWithTheirLine() {
        assertThatThrownBy(() -> GoTemplate.parse("t", "a\n{{ .Reason ")).isInstanceOf(TemplateError.class)
                .hasMessage("t:2: unclosed action: '{{' without '}}'");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ shout .Reason }}")).hasMessageContaining("unknown function 'shout'");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ .A | nope }}")).hasMessageContaining("unknown function 'nope'");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ index .X }}")).hasMessageContaining("index takes 2 or more argument(s), 1 given");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ .Labels.app.kubernetes.io/name }}")).hasMessageContaining("use index");
        assertThatThrownBy(() -> GoTemplate.parse("t", "x\n{{ if .A }}\n{{ range .B }}{{ end }}")).isInstanceOfSatisfying(TemplateError.class,
                e -> assertThat(e.getMessage()).isEqualTo("t:2: missing {{ end }} for the 'if' on this line"));
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ end }}")).hasMessageContaining("'end' without 'if', 'range' or 'with'");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ else }}")).hasMessageContaining("'else' without");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ .A .B }}")).hasMessageContaining("is not a function");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ define \"x\" }}{{ end }}")).hasMessageContaining("not supported");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{ \"open }}")).hasMessageContaining("unterminated quoted string");
    }
}
