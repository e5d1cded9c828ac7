package io.slipway.oci.testing;

import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.zip.GZIPOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds images of random layers in a store, so tests move real content with known digests. */
public final class TestImages {

    private final ImageStore store;
    private final Random random;

    public TestImages(ImageStore store, long seed) {
        this.store = store;
        this.random = new Random(seed);
    }

    /** A single-platform image of {@code layers} random layers of {@code layerSize} bytes each, named {@code name}. */
    public Descriptor image(String name, Platform platform, int layers, int layerSize) throws IOException {
        Descriptor manifest = manifest(platform, layers, layerSize, List.of());
        store.tag(name, manifest);
        return manifest;
    }

    /** An index with one image per platform; {@code shared} layers are the same in every image. */
    public Descriptor index(String name, List<Platform> platforms, List<Descriptor> shared, int ownLayers, int layerSize) throws IOException {
        List<Descriptor> manifests = new ArrayList<>();
        for (Platform p : platforms) {
            manifests.add(manifest(p, ownLayers, layerSize, shared).withPlatform(p));
        }
        Descriptor index = store.putJson(MediaTypes.OCI_INDEX, ImageIndex.oci(manifests, Map.of("org.example.kind", "test")));
        store.tag(name, index);
        return index;
    }

    /** A gzip layer of {@code size} random bytes (real gzip, so tools that sniff compression leave it as it is). */
    public Descriptor layer(int size) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        ByteArrayOutputStream gz = new ByteArrayOutputStream(size + 1024);
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes);
        }
        return store.putBlob(MediaTypes.OCI_LAYER_GZIP, new ByteArrayInputStream(gz.toByteArray()));
    }

    private Descriptor manifest(Platform platform, int layers, int layerSize, List<Descriptor> shared) throws IOException {
        List<Descriptor> all = new ArrayList<>(shared);
        for (int i = 0; i < layers; i++) {
            all.add(layer(layerSize));
        }
        ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), platform.variant(),
                new ImageConfig.Config(List.of("SEED=" + random.nextLong()), null, null, null),
                ImageConfig.RootFs.layers(all.stream().map(Descriptor::digest).toList()), null, null);
        Descriptor configBlob = store.putJson(MediaTypes.OCI_CONFIG, config);
        return store.putJson(MediaTypes.OCI_MANIFEST, ImageManifest.oci(configBlob, all, Map.of()));
    }
}
