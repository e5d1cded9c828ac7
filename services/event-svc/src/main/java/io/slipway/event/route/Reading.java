package io.slipway.event.route;

import io.slipway.yaml.YamlNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What reading one routing document needs across its sections: {@code ${VAR}} and {@code ${VAR:default}} expansion
 * from the variables of the environment routes may read (so secrets can stay out of the file, as in
 * kubernetes-event-exporter, but the service's own cannot be sent anywhere), the secret fields seen
 * so far, and turning values into patterns, templates and layouts with errors that point at the line.
 */
final class Reading {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

    private final UnaryOperator<String> env;
    private final List<Secrets.Field> secrets = new ArrayList<>();

    /** Thrown by the environment for a variable routes may not read; its message names the variable, never a value. */
    static final class NotAllowed extends RuntimeException {
        NotAllowed(String message) {
            super(message, null, false, false);
        }
    }

    Reading(UnaryOperator<String> env) {
        this.env = env;
    }

    List<Secrets.Field> secrets() {
        return List.copyOf(secrets);
    }

    /** How many secrets were read so far (where the next receiver's begin). */
    int secretCount() {
        return secrets.size();
    }

    /** Binds the secrets read since {@code from} to {@code destination}, where their receiver sends. */
    void bindSecrets(int from, String destination) {
        for (int i = from; i < secrets.size(); i++) {
            secrets.set(i, secrets.get(i).to(destination));
        }
    }

    /** A scalar with environment variables expanded. */
    String string(YamlNode node) {
        String raw = node.scalar();
        Matcher m = VARIABLE.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value;
            try {
                value = env.apply(m.group(1));
            } catch (NotAllowed e) {
                throw node.error(e.getMessage());
            }
            if (value == null) {
                if (m.group(2) == null) {
                    throw node.error("environment variable " + m.group(1) + " is not set (write ${" + m.group(1) + ":default} for a default)");
                }
                value = m.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    String optionalString(YamlNode node, String fallback) {
        return node == null || node.isNull() ? fallback : string(node);
    }

    /** A secret scalar: expanded, and remembered so that it can be masked. */
    String secret(YamlNode node, String key, boolean url) {
        if (node == null || node.isNull()) {
            return null;
        }
        String value = string(node);
        secrets.add(new Secrets.Field(key, node.scalar(), node.start(), node.end(), url, null));
        return value;
    }

    List<String> strings(YamlNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isScalar()) {
            return List.of(string(node));
        }
        return node.items().stream().map(this::string).toList();
    }

    Pattern pattern(YamlNode node) {
        String regex = string(node);
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw node.error("invalid regular expression: " + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }

    Template template(YamlNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return Template.parse(string(node));
        } catch (IllegalArgumentException e) {
            throw node.error("invalid template: " + e.getMessage());
        }
    }

    Layout layout(YamlNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new Layout(layoutNode(node));
    }

    private Object layoutNode(YamlNode node) {
        if (node.isMap()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.entries().forEach((k, v) -> map.put(k, layoutNode(v)));
            return map;
        }
        if (node.isList()) {
            return node.items().stream().map(this::layoutNode).toList();
        }
        if (node.isNull()) {
            return Template.parse("");
        }
        return template(node);
    }
}
