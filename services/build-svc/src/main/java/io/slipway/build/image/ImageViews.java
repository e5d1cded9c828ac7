package io.slipway.build.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.store.StoredImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code images} and {@code inspect} show of the store: names, digests, sizes, platforms and Slipway metadata. */
final class ImageViews {
    static final String ANNOTATION_PREFIX = "io.slipway.image.";

    private ImageViews() {
    }

    /** One row of {@code slipway images}. */
    record ImageRow(String name, String digest, String mediaType, long size, List<String> platforms, String type) {
    }

    static ImageRow row(ImageStore store, StoredImage image) throws IOException {
        Descriptor d = image.descriptor();
        List<String> platforms = new ArrayList<>();
        long size = 0;
        String type = null;
        for (ImageManifest m : manifests(store, d, platforms)) {
            size += m.config().size() + m.layers().stream().mapToLong(Descriptor::size).sum();
            type = type != null ? type : m.annotations().get(ANNOTATION_PREFIX + "type");
        }
        return new ImageRow(image.name(), d.digest().toString(), d.mediaType(), size, platforms, type);
    }

    /** Everything about one image: descriptor, per-platform manifests with their configs, and decoded metadata. */
    static Map<String, Object> inspect(ImageStore store, String name, Descriptor d) throws IOException {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", name);
        view.put("digest", d.digest().toString());
        view.put("mediaType", d.mediaType());
        if (MediaTypes.isIndex(d.mediaType())) {
            view.put("index", Json.mapper().readTree(store.readBlob(d.digest())));
        }
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Descriptor md : manifestDescriptors(store, d)) {
            ImageManifest m = store.manifest(md.digest());
            ImageConfig config = store.config(m.config().digest());
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("digest", md.digest().toString());
            one.put("platform", config.platform().toString());
            one.put("manifest", Json.mapper().readTree(store.readBlob(md.digest())));
            one.put("config", Json.mapper().readTree(store.readBlob(m.config().digest())));
            one.put("slipway", metadata(m.annotations()));
            manifests.add(one);
        }
        view.put("manifests", manifests);
        return view;
    }

    /** Slipway's annotations with JSON values decoded, so applications and cached images read as lists. */
    static Map<String, Object> metadata(Map<String, String> annotations) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        annotations.forEach((k, v) -> {
            if (k.startsWith(ANNOTATION_PREFIX)) {
                metadata.put(k.substring(ANNOTATION_PREFIX.length()), decode(v));
            }
        });
        return metadata;
    }

    private static Object decode(String value) {
        if (value.startsWith("[") || value.startsWith("{")) {
            try {
                JsonNode node = Json.mapper().readTree(value);
                return node;
            } catch (IOException e) {
                return value;
            }
        }
        return value;
    }

    private static List<Descriptor> manifestDescriptors(ImageStore store, Descriptor d) throws IOException {
        if (MediaTypes.isIndex(d.mediaType())) {
            ImageIndex index = store.index(d.digest());
            return index.manifests().stream().filter(m -> store.hasBlob(m.digest())).toList();
        }
        return List.of(d);
    }

    private static List<ImageManifest> manifests(ImageStore store, Descriptor d, List<String> platforms) throws IOException {
        List<ImageManifest> result = new ArrayList<>();
        for (Descriptor md : manifestDescriptors(store, d)) {
            ImageManifest m = store.manifest(md.digest());
            result.add(m);
            platforms.add(md.platform() != null ? md.platform().toString() : store.config(m.config().digest()).platform().toString());
        }
        return result;
    }
}
