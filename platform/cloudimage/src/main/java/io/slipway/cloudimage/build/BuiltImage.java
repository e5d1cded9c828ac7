package io.slipway.cloudimage.build;

import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Platform;

import java.util.List;

/**
 * A finished build.
 *
 * @param descriptor the image: a manifest for one platform, an OCI index for several
 * @param name       the name it was tagged with in the store (normalized), or null
 * @param manifests  per platform, its manifest and layer count
 * @param metadata   what the annotations say (type, applications, launch, images, ...)
 * @param unresolved container images that could not be cached, each {@code file[:line]: reason}
 */
public record BuiltImage(Descriptor descriptor, String name, List<PlatformManifest> manifests,
                         CloudImageMetadata metadata, List<String> unresolved) {

    /** One platform's manifest; {@code cachedLayers} of its {@code layers} came from the build cache. */
    public record PlatformManifest(Platform platform, Descriptor manifest, int layers, int cachedLayers) {
    }

    public BuiltImage {
        manifests = List.copyOf(manifests);
        unresolved = List.copyOf(unresolved);
    }
}
