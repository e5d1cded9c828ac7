package io.slipway.workload.component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The templates a Component is rendered from, as configuration: per workload type, per language and per cluster,
 * each a ConfigMap (in the template namespace, labelled {@value #KIND_LABEL} and {@value #NAME_LABEL}, YAML under
 * {@value #DATA_KEY}) or, when there is none, the built-in file under {@code component-templates/}. A template has up
 * to six sections: {@code workload} (merged into the workload object), {@code pod} (into its pod template),
 * {@code container} (into the app container), {@code service} (into the Service), and {@code server} / {@code worker}
 * holding the same sections for one run type only.
 *
 * <p>Merge order, each layer over the one before: workload type, language, cluster, then the Component's own fields.
 * Objects merge key by key; lists of objects that all have a {@code name} (env, containers, ports) merge by name;
 * other lists and scalars are replaced.
 */
public final class Templates {
    public static final String KIND_LABEL = Component.GROUP + "/template-kind";
    public static final String NAME_LABEL = Component.GROUP + "/template-name";
    public static final String DATA_KEY = "template.yaml";
    public static final List<String> SECTIONS = List.of("workload", "pod", "container", "service", "server", "worker");
    static final List<String> BUILTIN_LANGUAGES = List.of("go", "java", "node", "python");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One template: where it came from ("configmap slipway/java-template@rv 812", "builtin language/java.yaml") and its tree. */
    public record Layer(String kind, String name, String source, ObjectNode tree) {
    }

    /** The layers for a component in merge order, and their hash; or what is wrong with one. */
    public record Resolved(List<Layer> layers, String hash, String problem) {
        public ObjectNode merged(String runType) {
            ObjectNode out = YAML.createObjectNode();
            for (Layer l : layers) {
                merge(out, l.tree());
            }
            JsonNode only = out.remove(runType);
            out.remove("server");
            out.remove("worker");
            if (only instanceof ObjectNode o) {
                merge(out, o);
            }
            return out;
        }
    }

    private Templates() {
    }

    /**
     * The templates for {@code spec} in {@code cluster}: a ConfigMap of {@code configMaps} where one names the kind
     * and name, else the built-in. A missing workload or language template, or one that does not parse, is a problem.
     */
    public static Resolved resolve(ComponentFields spec, String cluster, List<ConfigMap> configMaps) {
        List<Layer> layers = new ArrayList<>();
        String[][] wanted = {{"workload", spec.workloadType}, {"language", spec.developLanguage}, {"cluster", cluster}};
        for (String[] w : wanted) {
            try {
                Optional<Layer> layer = fromConfigMap(w[0], w[1], configMaps).or(() -> builtin(w[0], w[1]));
                if (layer.isEmpty() && w[0].equals("cluster")) {
                    layer = builtin("cluster", "default");
                }
                if (layer.isEmpty()) {
                    String field = w[0].equals("workload") ? "spec.workloadType" : "spec.developLanguage";
                    return new Resolved(List.of(), null, field + ": no " + w[0] + " template named \"" + w[1] + "\" (built-in: "
                            + String.join(", ", w[0].equals("workload") ? ComponentFields.WORKLOAD_TYPES : BUILTIN_LANGUAGES)
                            + "; or a ConfigMap labelled " + KIND_LABEL + "=" + w[0] + ", " + NAME_LABEL + "=" + w[1] + ")");
                }
                layers.add(layer.get());
            } catch (IllegalArgumentException e) {
                return new Resolved(List.of(), null, e.getMessage());
            }
        }
        return new Resolved(layers, hash(layers), null);
    }

    private static Optional<Layer> fromConfigMap(String kind, String name, List<ConfigMap> configMaps) {
        for (ConfigMap cm : configMaps) {
            Map<String, String> labels = cm.getMetadata().getLabels();
            if (labels != null && kind.equals(labels.get(KIND_LABEL)) && name != null && name.equals(labels.get(NAME_LABEL))) {
                String source = "configmap " + cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName();
                String yaml = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
                if (yaml == null) {
                    throw new IllegalArgumentException(source + ": no data key " + DATA_KEY);
                }
                return Optional.of(new Layer(kind, name, source, parse(source, yaml)));
            }
        }
        return Optional.empty();
    }

    /** Built-in templates parsed once: they are files of the service, read on every reconcile otherwise. */
    private static final Map<String, Layer> BUILTINS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Optional<Layer> builtin(String kind, String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            return Optional.empty();
        }
        Layer known = BUILTINS.get(kind + "/" + name);
        if (known != null) {
            return Optional.of(known);
        }
        // only what exists is kept: names a user made up are looked up again, not remembered without bound
        Optional<Layer> loaded = load(kind, name);
        loaded.ifPresent(l -> BUILTINS.put(kind + "/" + name, l));
        return loaded;
    }

    private static Optional<Layer> load(String kind, String name) {
        String path = "component-templates/" + kind + "/" + name + ".yaml";
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(new Layer(kind, name, "builtin " + kind + "/" + name + ".yaml",
                    parse("builtin " + path, new String(in.readAllBytes(), StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A template's tree; a parse error or an unknown section names the source and the line. */
    static ObjectNode parse(String source, String yaml) {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(source + (at == null ? "" : ":" + at.getLineNr()) + ": not YAML: " + e.getOriginalMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return YAML.createObjectNode();
        }
        if (!(tree instanceof ObjectNode o)) {
            throw new IllegalArgumentException(source + ": a template is a mapping of sections (" + String.join(", ", SECTIONS) + ")");
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String section = it.next();
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException(source + ": unknown section \"" + section + "\" (known: " + String.join(", ", SECTIONS) + ")");
            }
        }
        return o;
    }

    /** Merges {@code over} into {@code into} (nothing of {@code over} is shared with it, so layers stay as read): objects by key, lists of named objects by name, anything else replaced. */
    public static void merge(ObjectNode into, JsonNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = into.get(e.getKey());
            JsonNode theirs = e.getValue();
            if (mine instanceof ObjectNode m && theirs instanceof ObjectNode t) {
                merge(m, t);
            } else if (mine instanceof ArrayNode m && theirs instanceof ArrayNode t && named(m) && named(t)) {
                for (JsonNode item : t) {
                    ObjectNode same = null;
                    for (JsonNode existing : m) {
                        if (existing.path("name").equals(item.path("name"))) {
                            same = (ObjectNode) existing;
                        }
                    }
                    if (same == null) {
                        m.add(item.deepCopy());
                    } else {
                        // an item named again replaces the earlier one (an env var's value and valueFrom exclude each other)
                        same.removeAll();
                        same.setAll((ObjectNode) item.deepCopy());
                    }
                }
            } else {
                into.set(e.getKey(), theirs.deepCopy());
            }
        }
    }

    private static boolean named(ArrayNode list) {
        for (JsonNode item : list) {
            if (!item.isObject() || !item.has("name")) {
                return false;
            }
        }
        return true;
    }

    static String hash(List<Layer> layers) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Layer l : layers) {
                digest.update((l.kind() + "/" + l.name() + "=" + l.tree().toString() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
