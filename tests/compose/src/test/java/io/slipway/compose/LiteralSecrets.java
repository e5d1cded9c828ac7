package io.slipway.compose;

import io.slipway.yaml.YamlNode;
import io.slipway.yaml.YamlReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Secret values written into a compose file as it is kept in git (before {@code docker-compose config} fills in
 * {@code .env}): a variable or key whose name says it holds a secret must take its value from a {@code ${...}}
 * reference. A name that points at a file ({@code ..._LOCATION}, {@code _FILE}, {@code _PATH}, {@code _DIR}) holds a
 * path, not the secret.
 */
final class LiteralSecrets {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|token|secret|credential|private|key).*");
    private static final Pattern POINTER_NAME = Pattern.compile("(?i).*_(location|file|path|dir)");
    /** One reference and nothing else: {@code ${NAME}}, {@code ${NAME:?message}}, {@code ${NAME:-default}}. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:?[?-][^}]*)?}");

    private LiteralSecrets() {
    }

    /** Each secret written as a literal value: {@code path: NAME}. */
    static List<String> in(String composeText) {
        List<String> out = new ArrayList<>();
        walk(YamlReader.lenient().read(composeText), out);
        return out;
    }

    private static void walk(YamlNode node, List<String> out) {
        if (node.isMap()) {
            node.entries().forEach((key, value) -> {
                if (value.isScalar()) {
                    check(value.path(), key, value.scalar(), out);
                }
                walk(value, out);
            });
        } else if (node.isList()) {
            for (YamlNode item : node.items()) {
                // environment as a list: - NAME=value
                String text = item.text();
                if (text != null && text.contains("=")) {
                    check(item.path(), text.substring(0, text.indexOf('=')), text.substring(text.indexOf('=') + 1), out);
                }
                walk(item, out);
            }
        }
    }

    private static void check(String path, String name, String value, List<String> out) {
        if (SECRET_NAME.matcher(name).matches() && !POINTER_NAME.matcher(name).matches() && !REFERENCE.matcher(value.trim()).matches()) {
            out.add(path + ": " + name + " is written as a value; take it from .env with ${...}");
        }
    }
}
