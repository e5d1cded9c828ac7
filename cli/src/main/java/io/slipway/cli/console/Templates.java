package io.slipway.cli.console;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateLocator;
import io.quarkus.qute.Variant;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's Qute engine, standalone (the gateway is no Quarkus application): templates from the classpath under
 * {@code console/templates/}, every value HTML-escaped unless it is a {@link io.quarkus.qute.RawString}.
 */
final class Templates {
    private static final String ROOT = "console/templates/";

    private final Engine engine = Engine.builder()
            .addDefaults()
            .addValueResolver(new ReflectionValueResolver())
            .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML)))
            .addLocator(Templates::locate)
            .strictRendering(false)
            .build();

    /** Renders template {@code id} (a path below {@code console/templates/}, without {@code .html}) with {@code data}. */
    String render(String id, Map<String, Object> data) {
        Template template = engine.getTemplate(id);
        if (template == null) {
            throw new IllegalArgumentException("no console template " + id);
        }
        return template.data(data).render();
    }

    private static Optional<TemplateLocator.TemplateLocation> locate(String id) {
        String resource = ROOT + id + ".html";
        if (Templates.class.getClassLoader().getResource(resource) == null) {
            return Optional.empty();
        }
        return Optional.of(new TemplateLocator.TemplateLocation() {
            @Override
            public Reader read() {
                InputStream in = Templates.class.getClassLoader().getResourceAsStream(resource);
                return new InputStreamReader(in, StandardCharsets.UTF_8);
            }

            @Override
            public Optional<Variant> getVariant() {
                return Optional.of(Variant.forContentType(Variant.TEXT_HTML));
            }
        });
    }
}
