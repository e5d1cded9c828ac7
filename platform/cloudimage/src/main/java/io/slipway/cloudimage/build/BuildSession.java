package io.slipway.cloudimage.build;

import io.slipway.cloudimage.cache.BuildCache;
import io.slipway.cloudimage.kubefile.Kubefile;
import io.slipway.cloudimage.layer.BuildContext;
import io.slipway.oci.store.ImageStore;

import java.nio.file.Path;

/** What every platform of one build shares. */
record BuildSession(ImageStore store, BuildCache cache, BuildSpec spec, Kubefile kubefile, BuildContext context,
                    Downloads downloads, BuildListener listener, Path workDir, boolean cachesImages) {
    /** How many steps the build shows: the Kubefile's instructions, and the container-image step when there is one. */
    int steps() {
        return kubefile.instructions().size() + (cachesImages ? 1 : 0);
    }
}
