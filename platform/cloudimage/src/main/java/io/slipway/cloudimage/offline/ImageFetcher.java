package io.slipway.cloudimage.offline;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ManifestContent;
import io.slipway.oci.registry.Parallel;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Reads container images from their registries for the platforms of a CloudImage. What a reference names is read once
 * ({@link #resolve}); then, per platform ({@link #fetch}), an index contributes itself (its digest unchanged, so
 * references pinned to it still resolve) and only that platform's manifest, while a single image must be built for
 * that platform. Blobs go through {@link BlobDownloads}: streamed, verified, each fetched once per run.
 */
final class ImageFetcher {

    private static final Set<String> IMAGE_CONFIGS = Set.of(MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG);

    private final Registries registries;
    private final BlobDownloads downloads;
    private final int concurrency;

    ImageFetcher(Registries registries, BlobDownloads downloads, int concurrency) {
        this.registries = registries;
        this.downloads = downloads;
        this.concurrency = concurrency;
    }

    /** The index or image manifest that {@code source}'s tag or digest names, as its registry serves it. */
    ManifestContent resolve(Reference source) throws IOException {
        return client(source).getManifest(source.repository(), source.manifestReference());
    }

    /**
     * Everything {@code platform} needs of the image whose top manifest is {@code top}, downloaded. Failure messages
     * leave the platform out: the caller names it.
     */
    PlatformImage fetch(Reference source, ManifestContent top, Platform platform) throws IOException {
        RegistryClient client = client(source);
        String repository = source.repository();
        List<PlatformImage.Blob> manifests = new ArrayList<>();
        manifests.add(kept(top));
        ManifestContent image = top;
        if (top.isIndex()) {
            Descriptor chosen = manifestFor(read(top.bytes(), ImageIndex.class, "index"), platform);
            image = client.getManifest(repository, chosen.digest().toString());
            if (!MediaTypes.isManifest(image.mediaType())) {
                throw new IOException("its index names " + image.mediaType() + " " + image.digest().shortHex()
                        + " for this platform, not an image manifest (nested indexes are not supported)");
            }
            manifests.add(kept(image));
        }
        ImageManifest manifest = read(image.bytes(), ImageManifest.class, "image manifest");
        Descriptor config = manifest.config();
        if (config == null || !IMAGE_CONFIGS.contains(config.mediaType())) {
            throw new IOException("not a container image: its config is "
                    + (config == null ? "missing" : "of type " + config.mediaType()));
        }
        Path configFile = downloads.fetch(client, repository, config);
        if (!top.isIndex()) {
            requirePlatform(read(Files.readAllBytes(configFile), ImageConfig.class, "image config"), platform);
        }
        List<PlatformImage.Blob> blobs = new ArrayList<>();
        blobs.add(new PlatformImage.Blob(config.digest(), configFile, config.size()));
        blobs.addAll(layers(client, repository, manifest));
        return new PlatformImage(repository, source.digest() == null ? source.tag() : null, manifests, blobs);
    }

    private List<PlatformImage.Blob> layers(RegistryClient client, String repository, ImageManifest manifest)
            throws IOException {
        Map<Digest, Descriptor> distinct = new LinkedHashMap<>();
        manifest.layers().forEach(layer -> distinct.putIfAbsent(layer.digest(), layer));
        List<Callable<PlatformImage.Blob>> fetches = new ArrayList<>();
        for (Descriptor layer : distinct.values()) {
            fetches.add(() -> new PlatformImage.Blob(layer.digest(), downloads.fetch(client, repository, layer), layer.size()));
        }
        return Parallel.run(concurrency, "offline-blob", fetches);
    }

    private static Descriptor manifestFor(ImageIndex index, Platform platform) throws IOException {
        return index.manifestFor(platform).orElseThrow(() -> new NotForPlatformException("its index has no manifest for this platform"
                + " (it offers " + index.manifests().stream()
                        .map(d -> d.platform() == null ? "(no platform)" : d.platform().toString())
                        .distinct().collect(Collectors.joining(", ")) + ")"));
    }

    private static void requirePlatform(ImageConfig config, Platform wanted) throws IOException {
        if (config.os() == null || config.architecture() == null) {
            throw new IOException("its config names no platform");
        }
        Platform actual = config.platform();
        if (!actual.matches(wanted)) {
            throw new NotForPlatformException("the image is for " + actual + " only (a single-platform image, not an index)");
        }
    }

    private PlatformImage.Blob kept(ManifestContent manifest) throws IOException {
        return new PlatformImage.Blob(manifest.digest(), downloads.keep(manifest.digest(), manifest.bytes()),
                manifest.bytes().length);
    }

    private RegistryClient client(Reference source) throws IOException {
        return registries.client(source.registry());
    }

    private static <T> T read(byte[] json, Class<T> type, String what) throws IOException {
        try {
            return Json.read(json, type);
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable " + what + ": " + e.getMessage(), e);
        }
    }
}
