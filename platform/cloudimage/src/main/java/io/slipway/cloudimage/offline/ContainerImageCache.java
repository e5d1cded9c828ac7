package io.slipway.cloudimage.offline;

import java.io.IOException;

/**
 * Puts the container images a CloudImage needs into it, so a cluster can run with no internet: given the image's
 * applications, manifests, charts and imageList files (materialized in a directory) and extra image names, an
 * implementation finds the images, pulls each for every requested platform into a registry storage directory and
 * writes that directory as one layer per platform into the store. The builder calls it once per group of platforms
 * whose files are the same, after the Kubefile's own layers, and appends the layers it returns.
 */
public interface ContainerImageCache {

    OfflineImages cache(OfflineImagesRequest request) throws IOException;
}
