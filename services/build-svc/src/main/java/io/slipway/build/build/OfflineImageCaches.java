package io.slipway.build.build;

import io.slipway.cloudimage.offline.ContainerImageCache;
import io.slipway.cloudimage.offline.RegistryImageCache;
import io.slipway.oci.registry.Registries;

/** The container image cache a build uses: pulls into the CloudImage's registry layer with that build's registry logins. */
final class OfflineImageCaches {
    private OfflineImageCaches() {
    }

    static ContainerImageCache forBuild(Registries registries) {
        return new RegistryImageCache(registries);
    }
}
