package io.slipway.deploy.clusterfile;

import io.slipway.gotemplate.GoTemplate;
import io.slipway.gotemplate.TemplateError;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders sealer's {@code *.tmpl} files with the Clusterfile's env as data, in Go's text/template language (the shared
 * engine in {@code platform/gotemplate}). As sealer does, a value holding {@code ;} is a list ({@code a;b}), printed back
 * as it was written, and a value {@code range} meets as a string is split at {@code ;} and {@code ,}. Unlike Go's
 * default, a key that is not set and printed without a default is an error naming file, line and key: a config file
 * holding {@code <no value>} would start a service wrongly, far from its cause.
 */
public final class TemplateRenderer {
    private static final GoTemplate.Options CLUSTERFILE = GoTemplate.Options.GO.strict()
            .printing(v -> v instanceof List<?> l ? String.join(";", l.stream().map(String::valueOf).toList())
                    : GoTemplate.Options.GO.printer().apply(v))
            .ranging(v -> {
                String s = String.valueOf(v);
                return s.isEmpty() ? List.of() : Arrays.asList(s.split("[;,]"));
            });

    private TemplateRenderer() {
    }

    public static String render(String template, Map<String, ?> values, String file) throws TemplateException {
        Map<String, Object> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, v instanceof String s && s.contains(";") ? Arrays.asList(s.split(";")) : v));
        try {
            return GoTemplate.parse(file, template).render(data, CLUSTERFILE);
        } catch (TemplateError e) {
            String problem = e.missingKey() == null ? e.problem() : "key ." + e.missingKey() + " is not set: add " + e.missingKey()
                    + "=... to the Clusterfile's env (or use | default)";
            throw new TemplateException(file, e.line(), problem);
        }
    }
}
