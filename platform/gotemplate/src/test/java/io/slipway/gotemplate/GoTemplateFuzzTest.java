package io.slipway.gotemplate;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Any template text parses and renders, or is refused with a {@link TemplateError}; nothing else escapes. */
class GoTemplateFuzzTest {
    private static final Map<String, Object> DATA = GoTemplateTest.data();

    @Test
    void anyTemplateRendersOrIsRefusedWithATemplateError() {
        Fuzzer.Report report = Fuzzer.text("go template",
                        "{{ .Reason }} {{ .InvolvedObject.Kind }} {{ index .InvolvedObject.Labels \"team\" }} x{{ .Count }}",
                        "{{ range $i, $m := .Masters }}{{ if $i }},{{ end }}m{{ $i }}={{ $m }}{{ end }}",
                        "{{ range $h := .Hosts }}{{ $h.ip }}:{{ range .roles }}[{{ . }}]{{ else }}none{{ end }};{{ end }}",
                        "{{ if eq .Count 1 }}one{{ else if eq .Count 7 }}seven{{ else }}other{{ end }}{{/* note */}}",
                        "{{- with .InvolvedObject -}} {{ .Kind | upper | quote }} {{ toJson $.Ports }} {{ trunc 3 $.Reason }}{{ end }}",
                        "{{ $x := \"a\" }}{{ $x = (printf \"%s\" .Reason) }}{{ default \"d\" .Nope }} {{ len .Masters }} {{ not .Zero }}")
                .dictionary("{{", "}}", "{{-", "-}}", " end ", " else ", " if ", " range ", " with ", " define ", " template ",
                        " block ", " . ", " $ ", "$x", " := ", " = ", " | ", "(", ")", "\"", "`", ".Masters", ".Hosts", ".Ports",
                        ".Nope", " index ", " len ", " eq ", " and ", " or ", " trunc ", " -1 ", " 99999999999 ", " toPrettyJson ",
                        " printf ", "/*", "*/", " nil ", " true ", "'a'", " 0x1F ", " 1e9 ")
                .run(input -> {
                    GoTemplate template = GoTemplate.parse("fuzz.tmpl", input);
                    template.render(DATA);
                    try {
                        template.render(DATA, GoTemplate.Options.GO.strict());
                    } catch (TemplateError missingKey) {
                        // strict rendering refuses what Go prints as <no value>
                    }
                }, TemplateError.class);
        assertThat(report.crashes()).isEmpty();
    }
}
