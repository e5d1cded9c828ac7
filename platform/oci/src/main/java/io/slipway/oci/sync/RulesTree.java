package io.slipway.oci.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML or JSON document read into maps, lists and scalars that remember their line, so a bad rule is reported
 * as {@code rules.yaml line 7: ...}.
 */
final class RulesTree {

    /** A value and the line it starts on; {@code value} is a String, a Map of Nodes, a List of Nodes, or null. */
    record Node(Object value, int line) {

        boolean isMap() {
            return value instanceof Map;
        }

        @SuppressWarnings("unchecked")
        Map<String, Node> map() {
            return (Map<String, Node>) value;
        }

        @SuppressWarnings("unchecked")
        List<Node> list() {
            return (List<Node>) value;
        }

        boolean isList() {
            return value instanceof List;
        }

        boolean isScalar() {
            return value instanceof String;
        }

        String text() {
            return (String) value;
        }
    }

    /** A mistake in the rules, with where it is. */
    static final class RulesException extends IllegalArgumentException {
        RulesException(String source, int line, String message) {
            super(source + (line > 0 ? " line " + line : "") + ": " + message);
        }
    }

    private RulesTree() {
    }

    static Node parse(String text, String source) {
        boolean json = source.endsWith(".json") || text.stripLeading().startsWith("{");
        JsonFactory factory = json ? new JsonFactory() : new YAMLFactory();
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new RulesException(source, 0, "empty rules");
            }
            Node root = read(parser, source);
            if (parser.nextToken() != null) {
                throw new RulesException(source, parser.currentTokenLocation().getLineNr(), "more than one document");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new RulesException(source, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RulesException(source, 0, "unreadable: " + e.getMessage());
        }
    }

    private static Node read(JsonParser parser, String source) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Node> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    parser.nextToken();
                    Node value = read(parser, source);
                    if (map.put(key, new Node(value.value(), keyLine)) != null) {
                        throw new RulesException(source, keyLine, "'" + key + "' appears twice");
                    }
                }
                return new Node(map, line);
            }
            case START_ARRAY -> {
                List<Node> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(parser, source));
                }
                return new Node(list, line);
            }
            case VALUE_NULL -> {
                return new Node(null, line);
            }
            default -> {
                return new Node(parser.getText(), line);
            }
        }
    }
}
