package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.layer.LayerExtractor;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.ApplicationType;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Platform;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.oci.registry.RetryPolicy;
import io.slipway.oci.store.ImageStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Files of a CloudImage's root filesystem that name images, registries as a build passes them, and layer reading. */
final class OfflineFixtures {

    static final Platform AMD64 = Platform.parse("linux/amd64");
    static final Platform ARM64 = Platform.parse("linux/arm64");
    static final Platform S390X = Platform.parse("linux/s390x");
    /** Where a registry layer keeps its storage, as seen in the layer. */
    static final String REGISTRY_PREFIX = OfflineImagesRequest.REGISTRY_DIR + "/docker/registry/v2/";
    /** Connection failures are retried, but a test need not wait long for a port nobody listens on. */
    private static final RetryPolicy QUICK = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50));

    private OfflineFixtures() {
    }

    /** Registries as build-svc would pass them for loopback test registries: plain HTTP. */
    static Registries registries() {
        return Registries.builder().defaults(OfflineFixtures::insecureQuick).build();
    }

    static RegistryConfig insecureQuick(RegistryConfig config) {
        return config.withPlainHttp(true).withRetry(QUICK);
    }

    /** A helm chart whose Deployment's image comes from its values. */
    static void helmChart(Path dir, String name, String repository, String tag) {
        write(dir, "Chart.yaml", "apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n");
        write(dir, "values.yaml", "image:\n  repository: " + repository + "\n  tag: \"" + tag + "\"\n");
        write(dir, "templates/deployment.yaml", deployment("{{ .Release.Name }}-" + name,
                List.of("{{ .Values.image.repository }}:{{ .Values.image.tag }}")));
    }

    /** {@link #helmChart} as the helm application {@code name} of a root filesystem. */
    static Application helmApplication(Path rootfs, String name, String repository, String tag) {
        String dir = Application.pathOf(name);
        helmChart(rootfs.resolve(dir), name, repository, tag);
        return new Application(name, ApplicationType.HELM, dir, List.of());
    }

    /** A Deployment with one container per image, each image on a line of its own. */
    static String deployment(String name, List<String> images) {
        StringBuilder yaml = new StringBuilder("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n"
                + "spec:\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n"
                + "    spec:\n      containers:\n");
        for (int i = 0; i < images.size(); i++) {
            yaml.append("        - name: c").append(i).append("\n          image: '")
                    .append(images.get(i).replace("'", "''")).append("'\n");
        }
        return yaml.toString();
    }

    /** A StatefulSet with an init container, so images are found beyond {@code containers}. */
    static String statefulSet(String name, String image, String initImage) {
        return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: " + name + "\nspec:\n  serviceName: " + name
                + "\n  selector:\n    matchLabels: {app: " + name + "}\n  template:\n    metadata:\n      labels: {app: "
                + name + "}\n    spec:\n      initContainers:\n        - name: init\n          image: " + initImage
                + "\n      containers:\n        - name: " + name + "\n          image: " + image + "\n";
    }

    /** The 1-based line of {@code text} holding {@code needle}. */
    static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in " + text);
    }

    static Path write(Path root, String rel, String content) {
        try {
            Path p = root.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a registry serving the storage that a registry layer holds, as deploy-svc would on a cluster: the layer is
     * unpacked and its {@code registry/} becomes the registry's storage root ({@code <dataDir>/storage}, where
     * EmbeddedRegistry keeps it and takes an existing one as it is).
     */
    static EmbeddedRegistry serve(ImageStore store, Descriptor layer, Path dataDir) throws IOException {
        Path unpacked = dataDir.resolveSibling(dataDir.getFileName() + "-layer");
        LayerExtractor.apply(store, List.of(layer), unpacked, path -> true);
        Files.createDirectories(dataDir);
        Files.move(unpacked.resolve(OfflineImagesRequest.REGISTRY_DIR), dataDir.resolve("storage"));
        return EmbeddedRegistry.start(dataDir);
    }

    /** A repository's directory in a registry layer. */
    static String repository(String name) {
        return REGISTRY_PREFIX + "repositories/" + name + "/";
    }

    /** The link that makes a manifest servable by digest from a repository of a registry layer. */
    static String revision(String repository, Descriptor manifest) {
        return repository(repository) + "_manifests/revisions/sha256/" + manifest.digest().hex() + "/link";
    }

    /** The names of a layer's entries; each entry also proves the layer carries no time. */
    static Set<String> entries(ImageStore store, Layer layer) throws IOException {
        return entries(store, layer.descriptor());
    }

    static Set<String> entries(ImageStore store, Descriptor layer) throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream raw = store.openBlob(layer.digest());
             InputStream in = layer.mediaType().endsWith("gzip") ? new GZIPInputStream(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                assertThat(e.getModTime().getTime()).as(e.getName()).isZero();
                names.add(e.getName().endsWith("/") ? e.getName().substring(0, e.getName().length() - 1) : e.getName());
            }
        }
        return names;
    }
}
