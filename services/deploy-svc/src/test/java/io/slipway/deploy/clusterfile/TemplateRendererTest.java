package io.slipway.deploy.clusterfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Go-template subset of sealer's *.tmpl files. */
class TemplateRendererTest {

    static String render(String t, Map<String, ?> v) throws TemplateException {
        return TemplateRenderer.render(t, v, "etc/x.tmpl");
    }

    @Test
    void substitutesDefaultsConditionsAndRanges() throws Exception {
        Map<String, Object> v = Map.of("Name", "etcd", "Masters", "10.0.0.1,10.0.0.2", "Ips", "a;b;c", "etcd-dir", "/data", "Off", "");
        assertThat(render("name={{ .Name }}", v)).isEqualTo("name=etcd");
        assertThat(render("port={{ .Port | default \"2379\" }}", v)).isEqualTo("port=2379");
        assertThat(render("{{ index . \"etcd-dir\" }}", v)).isEqualTo("/data");
        assertThat(render("{{ if .Name }}yes{{ else }}no{{ end }} {{ if .Off }}yes{{ else }}no{{ end }} {{ if .Missing }}x{{ end }}", v))
                .isEqualTo("yes no ");
        assertThat(render("{{ range $i, $m := .Masters }}{{ if $i }},{{ end }}m{{ $i }}={{ $m }}{{ end }}", v))
                .isEqualTo("m0=10.0.0.1,m1=10.0.0.2");
        assertThat(render("{{ range .Ips }}[{{ . }}]{{ end }}", v)).isEqualTo("[a][b][c]");
        assertThat(render("a\n  {{- .Name -}}  \nb", v)).isEqualTo("aetcdb");
        assertThat(render("{{/* a comment */}}x", v)).isEqualTo("x");
        // Go's scoping and truth, as sealer renders them: dot is the item inside a range, $ the env; "false" is set
        assertThat(render("{{ range .Ips }}{{ $.Name }}:{{ . }} {{ end }}", v)).isEqualTo("etcd:a etcd:b etcd:c ");
        assertThat(render("{{ if .Flag }}on{{ end }} {{ .Ips }} {{ index . \"Ips\" }}", Map.of("Flag", "false", "Ips", "a;b")))
                .isEqualTo("on a;b a;b");
    }

    @Test
    void aMissingKeyNamesFileLineAndKey() {
        assertThatThrownBy(() -> render("line1\nline2 {{ .Nope }}", Map.of()))
                .isInstanceOf(TemplateException.class)
                .hasMessage("etc/x.tmpl:2: key .Nope is not set: add Nope=... to the Clusterfile's env (or use | default)");
        assertThatThrownBy(() -> render("{{ if .A }}open", Map.of("A", "1"))).hasMessageContaining("missing {{ end }}");
        assertThatThrownBy(() -> render("{{ end }}", Map.of())).hasMessageContaining("'end' without");
        assertThatThrownBy(() -> render("{{ .A | nope }}", Map.of("A", "1"))).hasMessageContaining("unknown function 'nope'");
    }
}
