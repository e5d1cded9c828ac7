package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.layer.Compression;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What {@link ContainerImageCache} gets to work from.
 *
 * @param store          where the registry layers go (see {@code LayerWriter#writeDirectory})
 * @param rootfs         the image's files that can name container images, materialized: {@code application/},
 *                       {@code manifests/}, {@code charts/} and {@code imageList}; everything else is left out
 * @param applications   the image's applications, their {@link Application#path()} relative to {@code rootfs}
 * @param manifestsDir   {@code rootfs/manifests} (sealer's place for plain YAML) when the image has it
 * @param chartsDir      {@code rootfs/charts} (sealer's place for charts) when the image has it
 * @param imageListFiles imageList files ({@code manifests/imageList}, {@code imageList}): one image name per line
 * @param extraImages    image names given with the build request
 * @param alreadyCached  images the base image already carries; they need not be pulled again
 * @param platforms      the platforms to pull each image for; one layer per platform is expected back
 * @param compression    the build's layer compression, for the registry layers
 * @param workDir        scratch space, deleted after the build
 * @param log            build log lines
 */
public record OfflineImagesRequest(ImageStore store, Path rootfs, List<Application> applications,
                                   Optional<Path> manifestsDir, Optional<Path> chartsDir, List<Path> imageListFiles,
                                   List<String> extraImages, List<String> alreadyCached, List<Platform> platforms,
                                   Compression compression, Path workDir, Consumer<String> log) {

    /** The registry storage directory in the image's root filesystem, as sealer lays it out. */
    public static final String REGISTRY_DIR = "registry";
}
