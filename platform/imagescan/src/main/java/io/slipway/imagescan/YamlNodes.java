package io.slipway.imagescan;

import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads values out of SnakeYAML's composed node graph, which keeps the position of every value. */
final class YamlNodes {

    private static final String MERGE_KEY = "<<";

    private YamlNodes() {
    }

    /** The value under {@code key} of a mapping, looking into {@code <<} merged mappings too; null if absent. */
    static Node get(Node node, String key) {
        if (!(node instanceof MappingNode mapping)) {
            return null;
        }
        for (NodeTuple entry : mapping.getValue()) {
            if (key.equals(text(entry.getKeyNode()))) {
                return entry.getValueNode();
            }
        }
        for (NodeTuple entry : mapping.getValue()) {
            if (MERGE_KEY.equals(text(entry.getKeyNode()))) {
                Node found = getMerged(entry.getValueNode(), key);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static Node getMerged(Node merged, String key) {
        if (merged instanceof SequenceNode sources) {
            for (Node source : sources.getValue()) {
                Node found = get(source, key);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        return get(merged, key);
    }

    /** The value at a dotted path of mapping keys ({@code spec.template.spec}); null if any step is absent. */
    static Node at(Node node, String dottedPath) {
        Node current = node;
        for (String key : dottedPath.split("\\.")) {
            current = get(current, key);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    /** The text of a scalar; null for a YAML null or a mapping or sequence. */
    static String text(Node node) {
        if (node instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
            return scalar.getValue();
        }
        return null;
    }

    static List<Node> items(Node node) {
        return node instanceof SequenceNode sequence ? sequence.getValue() : List.of();
    }

    /** 1-based line where the node starts. */
    static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** {@code parent.key}, or {@code key} at the root. */
    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String index(String path, int index) {
        return path + "[" + index + "]";
    }
}
