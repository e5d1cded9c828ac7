package io.slipway.yaml;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One node of a YAML document with its path ({@code spec.hosts[0].ips}) and position, so that every problem found
 * while reading a user's file names the line, the column and the field. The strict accessors ({@link #entries},
 * {@link #items}, {@link #scalar} and the typed ones) throw a {@link YamlError} at this node when the shape is wrong;
 * the lookups ({@link #get}, {@link #at}, {@link #text}) answer null instead, for files read only in part.
 */
public final class YamlNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final String MERGE_KEY = "<<";

    private final String text;
    private final Node node;
    private final Node key;
    private final String path;
    private final boolean strict;

    YamlNode(String text, Node node, Node key, String path, boolean strict) {
        this.text = text;
        this.node = node;
        this.key = key;
        this.path = path;
        this.strict = strict;
    }

    /** The field's path from the document's root; empty for the root. */
    public String path() {
        return path;
    }

    /** 1-based line where the value starts. */
    public int line() {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }

    /** 1-based column where the value starts. */
    public int column() {
        return node == null ? 1 : node.getStartMark().getColumn() + 1;
    }

    /** The line of the key a map's value is written under ({@code images:} above its list); else {@link #line()}. */
    public int keyLine() {
        return key == null ? line() : key.getStartMark().getLine() + 1;
    }

    /** Where the node's text starts in the document, as a char index. */
    public int start() {
        return text.offsetByCodePoints(0, node.getStartMark().getIndex());
    }

    /** Where the node's text ends in the document (exclusive), as a char index. */
    public int end() {
        return text.offsetByCodePoints(0, node.getEndMark().getIndex());
    }

    /**
     * The same object for two views of one YAML node (an alias and its anchor), so a walk over a whole document can
     * stop at a cycle ({@code &a [*a]}).
     */
    public Object identity() {
        return node;
    }

    public boolean isNull() {
        return node == null || Tag.NULL.equals(node.getTag());
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode && !isNull();
    }

    /** An error at this node: its line, column and path. */
    public YamlError error(String problem) {
        return new YamlError(path, line(), column(), problem);
    }

    /** The entries of a map, in document order; a key outside {@code allowed} is an error naming the expected ones. */
    public Map<String, YamlNode> entries(Set<String> allowed) {
        for (NodeTuple tuple : tuples()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && !allowed.contains(k.getValue())) {
                throw child(k, k, k.getValue()).error("unknown field '" + k.getValue() + "'; expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return entries();
    }

    /**
     * The entries of a map with any keys (labels, headers, env), in document order; a null value is an empty map.
     * Strict: a key written twice or a key that is not a plain string is an error. Lenient: the last value of a
     * repeated key wins and other keys are skipped.
     */
    public Map<String, YamlNode> entries() {
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple tuple : tuples()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode k) || Tag.NULL.equals(k.getTag())) {
                if (strict) {
                    throw new YamlNode(text, tuple.getKeyNode(), null, path, true).error("a key must be a plain string");
                }
                continue;
            }
            YamlNode value = child(tuple.getValueNode(), k, k.getValue());
            YamlNode earlier = out.put(k.getValue(), value);
            if (earlier != null && strict) {
                throw new YamlNode(text, k, null, value.path, true).error("'" + k.getValue() + "' appears twice (also at line "
                        + earlier.keyLine() + ")");
            }
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

    /** The value under {@code key} of a map, looking into {@code <<} merged maps too; null if absent or not a map. */
    public YamlNode get(String name) {
        Node found = lookup(node, name, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (found == null) {
            return null;
        }
        return child(found, null, name);
    }

    /** {@code seen}: the maps looked into already, so a map merged into itself ({@code &x {<<: *x}}) ends the search. */
    private static Node lookup(Node in, String name, Set<Node> seen) {
        if (!(in instanceof MappingNode mapping) || !seen.add(in)) {
            return null;
        }
        for (NodeTuple entry : mapping.getValue()) {
            if (entry.getKeyNode() instanceof ScalarNode k && name.equals(k.getValue())) {
                return entry.getValueNode();
            }
        }
        for (NodeTuple entry : mapping.getValue()) {
            if (entry.getKeyNode() instanceof ScalarNode k && MERGE_KEY.equals(k.getValue())) {
                Node merged = entry.getValueNode();
                for (Node source : merged instanceof SequenceNode list ? list.getValue() : List.of(merged)) {
                    Node found = lookup(source, name, seen);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** The value at a dotted path of map keys ({@code spec.template.spec}); null if any step is absent. */
    public YamlNode at(String dottedPath) {
        YamlNode current = this;
        for (String name : dottedPath.split("\\.")) {
            current = current.get(name);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    /** The items of a list; a null value is an empty list. */
    public List<YamlNode> items() {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list, found " + kind());
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.add(new YamlNode(text, seq.getValue().get(i), null, path + "[" + i + "]", strict));
        }
        return out;
    }

    /** A scalar's text exactly as written. */
    public String scalar() {
        if (!(node instanceof ScalarNode s) || isNull()) {
            throw error("expected a value, found " + kind());
        }
        return s.getValue();
    }

    /** A scalar's text, or null for a null, a map or a list. */
    public String text() {
        return isScalar() ? ((ScalarNode) node).getValue() : null;
    }

    /** A list of scalars, or a single scalar taken as a one-item list. */
    public List<String> scalars() {
        if (isScalar()) {
            return List.of(scalar());
        }
        return items().stream().map(YamlNode::scalar).toList();
    }

    public int integer(int min, int max) {
        String s = scalar().trim();
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw error("expected a whole number, found '" + s + "'");
        }
        if (v < min || v > max) {
            throw error("must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    public boolean bool() {
        String s = scalar().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("expected true or false, found '" + s + "'");
        };
    }

    /** {@code 500ms}, {@code 30s}, {@code 1m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT1M}); positive. */
    public Duration duration() {
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

    /** The duration {@code s} writes in the forms {@link #duration()} reads, or null. */
    public static Duration parseDuration(String s) {
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
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** What the node is, in words for an error: never the value itself, which may be a secret in the wrong place. */
    public String kind() {
        if (isNull()) {
            return "nothing";
        }
        return switch (node.getNodeId()) {
            case mapping -> "a map";
            case sequence -> "a list";
            default -> "a single value";
        };
    }

    private YamlNode child(Node value, Node keyNode, String name) {
        return new YamlNode(text, value, keyNode, path.isEmpty() ? name : path + "." + name, strict);
    }
}
