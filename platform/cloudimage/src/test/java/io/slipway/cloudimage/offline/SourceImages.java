package io.slipway.cloudimage.offline;

import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.store.ImageStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Container images of small random gzip layers, built in a local store and pushed to a registry that plays the
 * internet, so the cache under test pulls real content with known digests.
 */
final class SourceImages {

    private final ImageStore store;
    private final ImageTransfer transfer;
    private final String registry;
    private final Random random;

    SourceImages(ImageStore store, Registries registries, String registry, long seed) {
        this.store = store;
        this.transfer = new ImageTransfer(registries, 4);
        this.registry = registry;
        this.random = new Random(seed);
    }

    /** A gzip layer of random bytes; gzip for real, as registries and runtimes expect of its media type. */
    Descriptor layer(int size) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        ByteArrayOutputStream gz = new ByteArrayOutputStream(size + 1024);
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes);
        }
        return store.putBlob(MediaTypes.OCI_LAYER_GZIP, new ByteArrayInputStream(gz.toByteArray()));
    }

    /** Pushes a single-platform image of {@code shared} layers and one layer of its own as {@code repoAndTag}. */
    Pushed image(String repoAndTag, Platform platform, List<Descriptor> shared) throws IOException {
        Descriptor manifest = manifest(platform, shared);
        return push(repoAndTag, manifest, List.of());
    }

    /** Pushes an index with one image per platform, each of {@code shared} layers and one of its own. */
    Pushed index(String repoAndTag, List<Platform> platforms, List<Descriptor> shared) throws IOException {
        List<Descriptor> manifests = new ArrayList<>();
        for (Platform p : platforms) {
            manifests.add(manifest(p, shared).withPlatform(p));
        }
        Descriptor index = store.putJson(MediaTypes.OCI_INDEX, ImageIndex.oci(manifests, Map.of()));
        return push(repoAndTag, index, manifests);
    }

    /** The layer a manifest of this store has as its own (its last). */
    Descriptor ownLayer(Descriptor manifest) throws IOException {
        List<Descriptor> layers = store.manifest(manifest.digest()).layers();
        return layers.get(layers.size() - 1);
    }

    private Pushed push(String repoAndTag, Descriptor root, List<Descriptor> children) throws IOException {
        store.tag(repoAndTag, root);
        Reference remote = Reference.parse(registry + "/" + repoAndTag);
        transfer.push(store, repoAndTag, remote, TransferListener.NONE);
        return new Pushed(remote, root, children);
    }

    private Descriptor manifest(Platform platform, List<Descriptor> shared) throws IOException {
        List<Descriptor> layers = new ArrayList<>(shared);
        layers.add(layer(2048 + random.nextInt(4096)));
        ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), platform.variant(),
                new ImageConfig.Config(List.of("SEED=" + random.nextLong()), null, null, null),
                ImageConfig.RootFs.layers(layers.stream().map(Descriptor::digest).toList()), null, null);
        Descriptor configBlob = store.putJson(MediaTypes.OCI_CONFIG, config);
        return store.putJson(MediaTypes.OCI_MANIFEST, ImageManifest.oci(configBlob, layers, Map.of()));
    }

    /**
     * An image as pushed: its reference at the source, its top manifest (index or image manifest), and for an index
     * the per-platform manifests in platform order.
     */
    record Pushed(Reference reference, Descriptor top, List<Descriptor> platformManifests) {

        /** The normalized reference, as the cache reports it. */
        String name() {
            return reference.toString();
        }

        /** The same image named by its digest only. */
        String byDigest() {
            return reference.registry() + "/" + reference.repository() + "@" + top.digest();
        }
    }
}
