package io.slipway.cloudimage.build;

import io.slipway.cloudimage.kubefile.Instruction;
import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The CloudImage a FROM names, taken from the local store for one platform: its layers, config and metadata. */
record BaseImage(String name, ImageManifest manifest, ImageConfig config, List<Layer> layers, CloudImageMetadata metadata) {

    static BaseImage load(ImageStore store, String image, Platform platform, Instruction from) throws IOException {
        String name = image;
        Optional<Descriptor> found = store.resolve(image);
        if (found.isEmpty()) {
            try {
                name = Reference.parse(image).toString();
                found = store.resolve(name);
            } catch (IllegalArgumentException e) {
                throw from.error("FROM " + e.getMessage());
            }
        }
        Descriptor d = found.orElseThrow(() -> from.error("base image " + image
                + " is not in the local image store; build or pull it first"));
        boolean fromIndex = MediaTypes.isIndex(d.mediaType());
        if (fromIndex) {
            ImageIndex index = store.index(d.digest());
            String finalName = name;
            d = index.manifestFor(platform).orElseThrow(() -> from.error("base image " + finalName + " has no "
                    + platform + " variant (it has " + index.manifests().stream()
                    .map(m -> String.valueOf(m.platform())).collect(Collectors.joining(", ")) + ")"));
        } else if (!MediaTypes.isManifest(d.mediaType())) {
            throw from.error("base image " + name + " is a " + d.mediaType() + ", not an image");
        }
        ImageManifest manifest = store.manifest(d.digest());
        ImageConfig config = store.config(manifest.config().digest());
        if (!fromIndex && config.os() != null && config.architecture() != null
                && !config.platform().matches(platform)) {
            throw from.error("base image " + name + " is built for " + config.platform() + ", not " + platform);
        }
        List<Digest> diffIds = config.rootfs() == null ? List.of() : config.rootfs().diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw from.error("base image " + name + " is inconsistent: " + manifest.layers().size()
                    + " layers but " + diffIds.size() + " diff ids in its config");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            if (!store.hasBlob(layer.digest())) {
                throw from.error("base image " + name + " is incomplete: layer " + layer.digest()
                        + " is missing from the store; pull it again");
            }
            layers.add(new Layer(layer, diffIds.get(i)));
        }
        return new BaseImage(name, manifest, config, layers, CloudImageMetadata.fromAnnotations(manifest.annotations()));
    }
}
