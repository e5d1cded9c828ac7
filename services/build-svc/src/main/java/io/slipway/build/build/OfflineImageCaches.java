package io.slipway.build.build;

import io.slipway.cloudimage.offline.ContainerImageCache;
import io.slipway.cloudimage.offline.NoContainerImageCache;
import io.slipway.oci.registry.Registries;

/** The container image cache a build uses, pulling with that build's registry logins. */
final class OfflineImageCaches {
    private OfflineImageCaches() {
    }

    static ContainerImageCache forBuild(Registries registries) {
        return NoContainerImageCache.INSTANCE;
    }
}
