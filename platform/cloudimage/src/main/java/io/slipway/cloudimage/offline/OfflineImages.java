package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.layer.Layer;
import io.slipway.oci.Platform;

import java.util.List;
import java.util.Map;

/**
 * What a {@link ContainerImageCache} did.
 *
 * @param layers     per platform, the layer holding the registry storage directory (absent: nothing to add)
 * @param images     the images cached, as full references (docker.io/library/nginx:1.25)
 * @param unresolved images that could not be resolved or pulled, each {@code file[:line]: reason}
 */
public record OfflineImages(Map<Platform, Layer> layers, List<String> images, List<String> unresolved) {

    public OfflineImages {
        layers = Map.copyOf(layers);
        images = List.copyOf(images);
        unresolved = List.copyOf(unresolved);
    }

    public static OfflineImages none() {
        return new OfflineImages(Map.of(), List.of(), List.of());
    }
}
