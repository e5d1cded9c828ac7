package io.slipway.deploy.install;

import io.slipway.cloudimage.layer.TarInput;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A CloudImage as the installer needs it: its layers (blobs in the local store, with the paths each holds), its
 * hooks, templates, CMDS and preflight needs. Read once from the store; hosts get the layers by digest.
 */
public final class InstallImage {
    /** Label naming the TCP ports the image's hooks listen on, checked free by preflight on a fresh host. */
    public static final String PREFLIGHT_PORTS = "io.slipway.preflight.ports";
    private static final Pattern HOOK = Pattern.compile("hooks/([a-z0-9][a-z0-9_-]*)/[^/]+\\.sh");
    private static final Pattern WATCHES = Pattern.compile("(?m)^#\\s*slipway:watches\\s+(.+)$");

    private final String reference;
    private final Digest digest;
    private final String architecture;
    private final List<ImageLayer> layers;
    private final Map<String, String> labels;
    private final CloudImageMetadata metadata;
    private final Map<String, HookFile> hookFiles;
    private final Map<String, String> templates;

    private InstallImage(String reference, Digest digest, String architecture, List<ImageLayer> layers,
                         Map<String, String> labels, CloudImageMetadata metadata, Map<String, HookFile> hookFiles,
                         Map<String, String> templates) {
        this.reference = reference;
        this.digest = digest;
        this.architecture = architecture;
        this.layers = List.copyOf(layers);
        this.labels = Map.copyOf(labels);
        this.metadata = metadata;
        this.hookFiles = hookFiles;
        this.templates = templates;
    }

    /** One layer: its blob in the local store and the paths it adds or deletes (whiteouts as written). */
    public record ImageLayer(Digest digest, long size, java.nio.file.Path blob, List<String> paths) {
        /** True when this layer adds or deletes {@code prefix} or anything under it. */
        public boolean touches(String prefix) {
            String p = normalize(prefix);
            return paths.stream().anyMatch(path -> p.isEmpty() || path.equals(p) || path.startsWith(p + "/"));
        }
    }

    /** A hook script: role directory, path in the rootfs, the layer that last wrote it and what it watches. */
    public record HookFile(String path, String role, Digest layer, List<String> watches) {
        public String name() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    /** Opens {@code name} (a tag or digest in the store) for {@code architecture}, reading every layer's listing. */
    public static InstallImage open(ImageStore store, String name, String architecture) throws IOException {
        Descriptor root = store.resolve(name).or(() -> resolveNormalized(store, name))
                .orElseThrow(() -> new IOException("image " + name + " is not in the store"));
        return open(store, name, root, architecture);
    }

    /** Names are stored as docker normalizes them ({@code etcd:v1} is {@code docker.io/library/etcd:v1}). */
    private static Optional<Descriptor> resolveNormalized(ImageStore store, String name) {
        try {
            return store.resolve(io.slipway.oci.Reference.parse(name).toString());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static InstallImage open(ImageStore store, String reference, Descriptor root, String architecture) throws IOException {
        Descriptor manifestDescriptor = root;
        if (MediaTypes.OCI_INDEX.equals(root.mediaType()) || root.mediaType() != null && root.mediaType().contains("manifest.list")) {
            ImageIndex index = store.index(root.digest());
            manifestDescriptor = index.manifests().stream()
                    .filter(d -> d.platform() == null || architecture == null || architecture.equals(d.platform().architecture()))
                    .findFirst()
                    .orElseThrow(() -> new IOException("image " + reference + " has no " + architecture + " variant"));
        }
        ImageManifest manifest = store.manifest(manifestDescriptor.digest());
        ImageConfig config = store.config(manifest.config().digest());
        Map<String, String> labels = config.config() != null && config.config().labels() != null ? config.config().labels() : Map.of();
        List<ImageLayer> layers = new ArrayList<>();
        Map<String, HookFile> hooks = new TreeMap<>();
        Map<String, String> templates = new TreeMap<>();
        for (Descriptor d : manifest.layers()) {
            List<String> paths = new ArrayList<>();
            try (InputStream raw = store.openBlob(d.digest()); TarArchiveInputStream tar = TarInput.open(raw)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    String path = normalize(e.getName());
                    if (path.isEmpty()) {
                        continue;
                    }
                    paths.add(path);
                    applyWhiteout(path, hooks, templates);
                    if (!e.isFile()) {
                        continue;
                    }
                    Matcher hook = HOOK.matcher(path);
                    if (hook.matches()) {
                        String text = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                        hooks.put(path, new HookFile(path, hook.group(1), d.digest(), watches(text)));
                    } else if (path.endsWith(".tmpl")) {
                        templates.put(path, new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            layers.add(new ImageLayer(d.digest(), d.size(), store.blobPath(d.digest()), List.copyOf(paths)));
        }
        CloudImageMetadata metadata = CloudImageMetadata.fromAnnotations(manifest.annotations());
        return new InstallImage(reference, manifestDescriptor.digest(), config.architecture(), layers, labels, metadata,
                hooks, templates);
    }

    private static void applyWhiteout(String path, Map<String, HookFile> hooks, Map<String, String> templates) {
        int slash = path.lastIndexOf('/');
        String base = path.substring(slash + 1);
        if (!base.startsWith(".wh.")) {
            return;
        }
        String dir = slash < 0 ? "" : path.substring(0, slash + 1);
        if (base.equals(".wh..wh..opq")) {
            hooks.keySet().removeIf(p -> p.startsWith(dir));
            templates.keySet().removeIf(p -> p.startsWith(dir));
        } else {
            String gone = dir + base.substring(4);
            hooks.keySet().removeIf(p -> p.equals(gone) || p.startsWith(gone + "/"));
            templates.keySet().removeIf(p -> p.equals(gone) || p.startsWith(gone + "/"));
        }
    }

    private static List<String> watches(String script) {
        List<String> result = new ArrayList<>();
        Matcher m = WATCHES.matcher(script);
        while (m.find()) {
            for (String w : m.group(1).trim().split("\\s+")) {
                result.add(normalize(w));
            }
        }
        return result;
    }

    static String normalize(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    public String reference() {
        return reference;
    }

    /** The platform manifest's digest: what a host has installed. */
    public Digest digest() {
        return digest;
    }

    public String architecture() {
        return architecture;
    }

    public List<ImageLayer> layers() {
        return layers;
    }

    public long size() {
        return layers.stream().mapToLong(ImageLayer::size).sum();
    }

    public Map<String, String> labels() {
        return labels;
    }

    public CloudImageMetadata metadata() {
        return metadata;
    }

    /** Rendered on each host after unpacking: path in the rootfs -> template text. */
    public Map<String, String> templates() {
        return templates;
    }

    /** Hooks for hosts with any of {@code roles}, in name order (then path), as sealer runs role scripts. */
    public List<HookFile> hooks(List<String> roles) {
        return hookFiles.values().stream().filter(h -> roles.contains(h.role()))
                .sorted(Comparator.comparing(HookFile::name).thenComparing(HookFile::path)).toList();
    }

    public List<HookFile> cleanHooks() {
        return hooks(List.of("clean"));
    }

    public Set<Integer> preflightPorts() {
        Set<Integer> ports = new LinkedHashSet<>();
        String spec = labels.get(PREFLIGHT_PORTS);
        if (spec != null) {
            for (String p : spec.split("[,\\s]+")) {
                if (!p.isBlank()) {
                    ports.add(Integer.parseInt(p.trim()));
                }
            }
        }
        return ports;
    }

    /** True when the image carries cached container images (a docker-distribution tree under registry/). */
    public boolean hasRegistry() {
        return layers.stream().anyMatch(l -> l.paths().stream().anyMatch(p -> p.startsWith("registry/docker/registry/v2")));
    }

    public Optional<ImageLayer> layer(Digest d) {
        return layers.stream().filter(l -> l.digest().equals(d)).findFirst();
    }

    /** Layers of this image that {@code previous} does not have: the only ones an upgrade sends. */
    public List<ImageLayer> layersNotIn(InstallImage previous) {
        if (previous == null) {
            return layers;
        }
        Set<Digest> old = new LinkedHashSet<>();
        previous.layers.forEach(l -> old.add(l.digest()));
        return layers.stream().filter(l -> !old.contains(l.digest())).toList();
    }

    /**
     * Hooks (for {@code roles}) that an upgrade from {@code previous} must rerun: the hook's own file came in a changed
     * layer, or a changed layer touches a path it watches ({@code # slipway:watches etc/ bin/etcd}).
     */
    public List<HookFile> hooksAffectedBy(InstallImage previous, List<String> roles) {
        List<HookFile> hooks = hooks(roles);
        if (previous == null) {
            return hooks;
        }
        List<ImageLayer> changed = layersNotIn(previous);
        Set<Digest> changedDigests = new LinkedHashSet<>();
        changed.forEach(l -> changedDigests.add(l.digest()));
        return hooks.stream().filter(h -> changedDigests.contains(h.layer())
                || h.watches().stream().anyMatch(w -> changed.stream().anyMatch(l -> l.touches(w)))).toList();
    }

    @Override
    public String toString() {
        return reference + "@" + digest;
    }
}
