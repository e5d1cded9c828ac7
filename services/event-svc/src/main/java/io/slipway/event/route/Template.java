package io.slipway.event.route;

import io.slipway.gotemplate.GoTemplate;
import java.util.Map;

/**
 * A receiver's text template, in Go's text/template language as kube-eventer's and kubernetes-event-exporter's users
 * write it ({@code {{ .Reason }}}, {@code {{ index .InvolvedObject.Labels "app.kubernetes.io/name" }}},
 * {@code {{ toJson . }}}, pipes, conditions, ranges; the shared engine in {@code platform/gotemplate}). A field that
 * does not exist prints {@code <no value>}, as in Go; a map or list prints as JSON, which is what a layout's reader
 * wants. Parsed once when the configuration is loaded, so a typo is reported with its line instead of at delivery.
 */
public record Template(GoTemplate template) {
    private static final GoTemplate.Options EVENTS = GoTemplate.Options.GO.printing(Template::json);

    /** Parses the template; an {@link IllegalArgumentException} says what is wrong and on which line of it. */
    public static Template parse(String source) {
        return new Template(GoTemplate.parse("template", source));
    }

    /** Whether the template is plain text without any action. */
    public boolean isConstant() {
        return template.isConstant();
    }

    public String render(Map<String, Object> data) {
        return template.render(data, EVENTS);
    }

    private static String json(Object value) {
        try {
            return io.slipway.event.sink.HttpSend.JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }
}
