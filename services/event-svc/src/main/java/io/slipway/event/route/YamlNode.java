package io.slipway.event.route;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A node of a YAML document with its path and position, so that every problem found while reading the routing
 * configuration names the line, the column and the field. Reading is strict: unknown keys, duplicate keys and a list
 * where a map belongs are errors, not silently ignored.
 */
final class YamlNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final String text;
    private final Node node;
    private final String path;

    private YamlNode(String text, Node node, String path) {
        this.text = text;
        this.node = node;
        this.path = path;
    }

    /** The document's root; an empty document is an empty map. */
    static YamlNode parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(1024 * 1024);
        try {
            Node root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
            return new YamlNode(text, root, "");
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ConfigError("", mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1,
                    "not valid YAML: " + problem.strip());
        } catch (YAMLException e) {
            throw new ConfigError("", 0, 0, "not valid YAML: " + e.getMessage());
        }
    }

    String path() {
        return path;
    }

    int line() {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }

    int column() {
        return node == null ? 1 : node.getStartMark().getColumn() + 1;
    }

    /** Where the node's text starts in the document, as a char index. */
    int start() {
        return charIndex(node.getStartMark().getIndex());
    }

    /** Where the node's text ends in the document (exclusive), as a char index. */
    int end() {
        return charIndex(node.getEndMark().getIndex());
    }

    private int charIndex(int codePoints) {
        return text.offsetByCodePoints(0, codePoints);
    }

    boolean isNull() {
        return node == null || Tag.NULL.equals(node.getTag());
    }

    boolean isMap() {
        return node instanceof MappingNode;
    }

    boolean isList() {
        return node instanceof SequenceNode;
    }

    boolean isScalar() {
        return node instanceof ScalarNode && !isNull();
    }

    ConfigError error(String problem) {
        return new ConfigError(path, line(), column(), problem);
    }

    /** The entries of a map, in document order; any key outside {@code allowed} is an error naming the expected ones. */
    Map<String, YamlNode> entries(Set<String> allowed) {
        for (NodeTuple tuple : tuples()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && !allowed.contains(key.getValue())) {
                String keyPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                throw new YamlNode(text, key, keyPath).error("unknown field '" + key.getValue() + "'; expected one of "
                        + String.join(", ", sorted(allowed)));
            }
        }
        return entries();
    }

    /** The entries of a map with any keys (labels, headers, layouts). */
    Map<String, YamlNode> entries() {
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple tuple : tuples()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw new YamlNode(text, tuple.getKeyNode(), path).error("a key must be a plain string");
            }
            String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
            out.put(key.getValue(), new YamlNode(text, tuple.getValueNode(), childPath));
        }
        return out;
    }

    private List<NodeTuple> tuples() {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof MappingNode map)) {
            throw error("expected a map of fields, found " + kind());
        }
        return map.getValue();
    }

    /** The items of a list; a missing or null value is an empty list. */
    List<YamlNode> items() {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list, found " + kind());
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.add(new YamlNode(text, seq.getValue().get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** A scalar's text exactly as written (before any {@code ${VAR}} expansion). */
    String scalar() {
        if (!(node instanceof ScalarNode s) || isNull()) {
            throw error("expected a value, found " + kind());
        }
        return s.getValue();
    }

    /** A list of scalars, or a single scalar taken as a one-item list. */
    List<String> scalars() {
        if (isScalar()) {
            return List.of(scalar());
        }
        return items().stream().map(YamlNode::scalar).toList();
    }

    int integer(int min, int max) {
        String s = scalar().trim();
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                throw error("must be between " + min + " and " + max + ", was " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("expected a whole number, found '" + s + "'");
        }
    }

    boolean bool() {
        String s = scalar().trim().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("expected true or false, found '" + s + "'");
        };
    }

    /** {@code 500ms}, {@code 30s}, {@code 1m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT1M}). */
    Duration duration() {
        String s = scalar().trim();
        Duration d = parseDuration(s);
        if (d == null) {
            throw error("expected a duration such as 500ms, 30s, 1m or 2h, found '" + s + "'");
        }
        if (d.isNegative() || d.isZero()) {
            throw error("must be a positive duration, was '" + s + "'");
        }
        return d;
    }

    static Duration parseDuration(String s) {
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private String kind() {
        if (isNull()) {
            return "nothing";
        }
        return switch (node.getNodeId()) {
            case mapping -> "a map";
            case sequence -> "a list";
            // never the value itself: it may be a secret in the wrong place
            default -> "a single value";
        };
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }
}
