package io.slipway.imagescan;

import io.slipway.yaml.YamlNode;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

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
    void scanDocument(YamlNode document) {
        scanObject(document, null, null);
    }

    private void scanObject(YamlNode node, String listKind, String listApiVersion) {
        if (!node.isMap()) {
            return;
        }
        String kind = orElse(text(node.get("kind")), listKind);
        String apiVersion = orElse(text(node.get("apiVersion")), listApiVersion);
        if (kind == null) {
            return;
        }
        YamlNode items = node.get("items");
        if (kind.endsWith("List") && items != null && items.isList()) {
            scanListItems(items, kind, apiVersion);
            return;
        }
        String object = describe(node, kind);
        Layout layout = KNOWN_KINDS.get(group(apiVersion) + "/" + kind);
        if (layout == null) {
            scanAnyContainerLists(node, object, Collections.newSetFromMap(new IdentityHashMap<>()));
        } else {
            scanLayout(node, object, layout);
        }
    }

    /** {@code kind: List} items carry their own kind; the items of a typed list such as {@code DeploymentList} may not. */
    private void scanListItems(YamlNode list, String kind, String apiVersion) {
        String itemKind = kind.equals("List") ? null : kind.substring(0, kind.length() - "List".length());
        for (YamlNode item : list.items()) {
            scanObject(item, itemKind, itemKind == null ? null : apiVersion);
        }
    }

    private void scanLayout(YamlNode node, String object, Layout layout) {
        for (String podSpec : layout.podSpecs()) {
            YamlNode spec = node.at(podSpec);
            if (spec != null) {
                scanContainerLists(spec, object);
            }
        }
        for (String field : layout.imageFields()) {
            YamlNode image = node.at(field);
            if (image != null) {
                image(image, object, true);
            }
        }
        for (String field : layout.imageLists()) {
            YamlNode images = node.at(field);
            for (YamlNode image : images != null && images.isList() ? images.items() : List.<YamlNode>of()) {
                image(image, object, true);
            }
        }
    }

    private void scanContainerLists(YamlNode podSpec, String object) {
        for (String listName : CONTAINER_LISTS) {
            YamlNode list = podSpec.get(listName);
            if (list != null && list.isList()) {
                scanContainers(list, object, true);
            }
        }
    }

    private void scanContainers(YamlNode list, String object, boolean required) {
        for (YamlNode container : list.items()) {
            if (!container.isMap()) {
                continue;
            }
            YamlNode image = container.get("image");
            if (image != null) {
                image(image, object, required);
            } else if (required) {
                findings.problem(origin(container, object), "container has no image field");
            }
        }
    }

    /**
     * The fallback for kinds this class does not know. A list item without an image or with a
     * structured one is skipped: custom resources use container lists as patches (Prometheus's
     * {@code spec.containers}) or spell images as {@code repository}/{@code tag} maps.
     */
    private void scanAnyContainerLists(YamlNode node, String object, Set<Object> visited) {
        if (!visited.add(node.identity())) {
            return;
        }
        if (node.isMap()) {
            for (Map.Entry<String, YamlNode> entry : node.entries().entrySet()) {
                YamlNode value = entry.getValue();
                if (CONTAINER_LISTS.contains(entry.getKey()) && value.isList()) {
                    scanContainers(value, object, false);
                } else {
                    scanAnyContainerLists(value, object, visited);
                }
            }
        } else if (node.isList()) {
            for (YamlNode item : node.items()) {
                scanAnyContainerLists(item, object, visited);
            }
        }
    }

    private void image(YamlNode image, String object, boolean required) {
        Origin origin = origin(image, object);
        if (image.isScalar() || image.isNull()) { // image: with nothing after it is an empty image field
            findings.image(image.text(), origin);
        } else if (required) {
            findings.problem(origin, "image must be a string");
        }
    }

    private Origin origin(YamlNode node, String object) {
        return sources.origin(node.line(), object, node.path());
    }

    /** {@code Kind/name}, the way kubectl names an object. */
    private static String describe(YamlNode node, String kind) {
        YamlNode metadata = node.get("metadata");
        String name = Stream.of("name", "generateName")
                .map(key -> metadata == null ? null : text(metadata.get(key)))
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

    private static String text(YamlNode node) {
        return node == null ? null : node.text();
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
