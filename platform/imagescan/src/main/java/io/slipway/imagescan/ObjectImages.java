package io.slipway.imagescan;

import static io.slipway.imagescan.YamlNodes.child;
import static io.slipway.imagescan.YamlNodes.index;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds the images one Kubernetes object names. For the workload kinds of Kubernetes and OpenKruise
 * it reads the pod templates where the kind keeps them; an object of any other kind has the
 * {@code image} of every item in a {@code containers}, {@code initContainers} or
 * {@code ephemeralContainers} list taken, wherever the list sits.
 */
final class ObjectImages {

    private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");
    private static final String KRUISE = "apps.kruise.io";

    /**
     * Where a kind keeps images.
     *
     * @param podSpecs    paths of objects holding container lists (pod specs, or the like of a SidecarSet)
     * @param imageFields paths of single image references
     * @param imageLists  paths of lists of image references
     */
    private record Layout(List<String> podSpecs, List<String> imageFields, List<String> imageLists) {
        static Layout podSpecs(String... paths) {
            return new Layout(List.of(paths), List.of(), List.of());
        }
    }

    private static final Layout POD = Layout.podSpecs("spec");
    private static final Layout TEMPLATED = Layout.podSpecs("spec.template.spec");

    /** Keyed by {@code group/Kind}; the core group is the empty string. */
    private static final Map<String, Layout> KNOWN_KINDS = Map.ofEntries(
            Map.entry("/Pod", POD),
            Map.entry("/PodTemplate", Layout.podSpecs("template.spec")),
            Map.entry("/ReplicationController", TEMPLATED),
            Map.entry("apps/Deployment", TEMPLATED),
            Map.entry("apps/StatefulSet", TEMPLATED),
            Map.entry("apps/DaemonSet", TEMPLATED),
            Map.entry("apps/ReplicaSet", TEMPLATED),
            Map.entry("extensions/Deployment", TEMPLATED),
            Map.entry("extensions/DaemonSet", TEMPLATED),
            Map.entry("extensions/ReplicaSet", TEMPLATED),
            Map.entry("batch/Job", TEMPLATED),
            Map.entry("batch/CronJob", Layout.podSpecs("spec.jobTemplate.spec.template.spec")),
            Map.entry(KRUISE + "/CloneSet", TEMPLATED),
            Map.entry(KRUISE + "/StatefulSet", TEMPLATED),
            Map.entry(KRUISE + "/DaemonSet", TEMPLATED),
            Map.entry(KRUISE + "/BroadcastJob", TEMPLATED),
            Map.entry(KRUISE + "/AdvancedCronJob", Layout.podSpecs(
                    "spec.template.jobTemplate.spec.template.spec",
                    "spec.template.broadcastJobTemplate.spec.template.spec")),
            Map.entry(KRUISE + "/UnitedDeployment", Layout.podSpecs(
                    "spec.template.statefulSetTemplate.spec.template.spec",
                    "spec.template.advancedStatefulSetTemplate.spec.template.spec",
                    "spec.template.cloneSetTemplate.spec.template.spec",
                    "spec.template.deploymentTemplate.spec.template.spec")),
            Map.entry(KRUISE + "/SidecarSet", POD),
            Map.entry(KRUISE + "/EphemeralJob", Layout.podSpecs("spec.template")),
            Map.entry(KRUISE + "/ImagePullJob", new Layout(List.of(), List.of("spec.image"), List.of())),
            Map.entry(KRUISE + "/ImageListPullJob", new Layout(List.of(), List.of(), List.of("spec.images"))));

    private final Findings findings;
    private final SourceMap sources;

    ObjectImages(Findings findings, SourceMap sources) {
        this.findings = findings;
        this.sources = sources;
    }

    /** Scans one YAML document; documents without a {@code kind} are not Kubernetes objects and are skipped. */
    void scanDocument(Node document) {
        scanObject(document, "", null, null);
    }

    private void scanObject(Node node, String path, String listKind, String listApiVersion) {
        if (!(node instanceof MappingNode)) {
            return;
        }
        String kind = orElse(YamlNodes.text(YamlNodes.get(node, "kind")), listKind);
        String apiVersion = orElse(YamlNodes.text(YamlNodes.get(node, "apiVersion")), listApiVersion);
        if (kind == null) {
            return;
        }
        Node items = YamlNodes.get(node, "items");
        if (kind.endsWith("List") && items instanceof SequenceNode list) {
            scanListItems(list, path, kind, apiVersion);
            return;
        }
        String object = describe(node, kind);
        Layout layout = KNOWN_KINDS.get(group(apiVersion) + "/" + kind);
        if (layout == null) {
            scanAnyContainerLists(node, path, object, Collections.newSetFromMap(new IdentityHashMap<>()));
        } else {
            scanLayout(node, path, object, layout);
        }
    }

    /** {@code kind: List} items carry their own kind; the items of a typed list such as {@code DeploymentList} may not. */
    private void scanListItems(SequenceNode list, String path, String kind, String apiVersion) {
        String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
        List<Node> items = list.getValue();
        for (int i = 0; i < items.size(); i++) {
            scanObject(items.get(i), index(child(path, "items"), i), itemKind, itemKind == null ? null : apiVersion);
        }
    }

    private void scanLayout(Node node, String path, String object, Layout layout) {
        for (String podSpec : layout.podSpecs()) {
            Node spec = YamlNodes.at(node, podSpec);
            if (spec != null) {
                scanContainerLists(spec, child(path, podSpec), object, true);
            }
        }
        for (String field : layout.imageFields()) {
            Node image = YamlNodes.at(node, field);
            if (image != null) {
                image(image, child(path, field), object, true);
            }
        }
        for (String field : layout.imageLists()) {
            List<Node> images = YamlNodes.items(YamlNodes.at(node, field));
            for (int i = 0; i < images.size(); i++) {
                image(images.get(i), index(child(path, field), i), object, true);
            }
        }
    }

    private void scanContainerLists(Node podSpec, String path, String object, boolean required) {
        for (String listName : CONTAINER_LISTS) {
            scanContainers(YamlNodes.get(podSpec, listName), child(path, listName), object, required);
        }
    }

    private void scanContainers(Node list, String path, String object, boolean required) {
        List<Node> containers = YamlNodes.items(list);
        for (int i = 0; i < containers.size(); i++) {
            Node container = containers.get(i);
            if (!(container instanceof MappingNode)) {
                continue;
            }
            String containerPath = index(path, i);
            Node image = YamlNodes.get(container, "image");
            if (image != null) {
                image(image, child(containerPath, "image"), object, required);
            } else if (required) {
                findings.problem(origin(container, object, containerPath), "container has no image field");
            }
        }
    }

    /**
     * The fallback for kinds this class does not know. A list item without an image or with a
     * structured one is skipped: custom resources use container lists as patches (Prometheus's
     * {@code spec.containers}) or spell images as {@code repository}/{@code tag} maps.
     */
    private void scanAnyContainerLists(Node node, String path, String object, Set<Node> visited) {
        if (!visited.add(node)) {
            return;
        }
        if (node instanceof MappingNode mapping) {
            for (NodeTuple entry : mapping.getValue()) {
                String key = YamlNodes.text(entry.getKeyNode());
                if (key == null) {
                    continue;
                }
                Node value = entry.getValueNode();
                if (CONTAINER_LISTS.contains(key) && value instanceof SequenceNode) {
                    scanContainers(value, child(path, key), object, false);
                } else {
                    scanAnyContainerLists(value, child(path, key), object, visited);
                }
            }
        } else if (node instanceof SequenceNode sequence) {
            List<Node> items = sequence.getValue();
            for (int i = 0; i < items.size(); i++) {
                scanAnyContainerLists(items.get(i), index(path, i), object, visited);
            }
        }
    }

    private void image(Node image, String path, String object, boolean required) {
        Origin origin = origin(image, object, path);
        if (image instanceof ScalarNode) {
            findings.image(YamlNodes.text(image), origin);
        } else if (required) {
            findings.problem(origin, "image must be a string");
        }
    }

    private Origin origin(Node node, String object, String path) {
        return sources.origin(YamlNodes.line(node), object, path);
    }

    /** {@code Kind/name}, the way kubectl names an object. */
    private static String describe(Node node, String kind) {
        Node metadata = YamlNodes.get(node, "metadata");
        String name = Stream.of("name", "generateName")
                .map(key -> YamlNodes.text(YamlNodes.get(metadata, key)))
                .filter(text -> text != null && !text.isBlank())
                .findFirst()
                .orElse(null);
        return name == null ? kind : kind + "/" + name;
    }

    /** The API group of {@code group/version}; core ({@code v1}) and a missing apiVersion give the empty group. */
    private static String group(String apiVersion) {
        if (apiVersion == null) {
            return "";
        }
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
