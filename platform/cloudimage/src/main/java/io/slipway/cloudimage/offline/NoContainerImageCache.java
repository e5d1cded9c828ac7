package io.slipway.cloudimage.offline;

/** The default: no images are cached, so the CloudImage carries only what its Kubefile put in it. */
public final class NoContainerImageCache implements ContainerImageCache {

    public static final NoContainerImageCache INSTANCE = new NoContainerImageCache();

    private NoContainerImageCache() {
    }

    @Override
    public OfflineImages cache(OfflineImagesRequest request) {
        return OfflineImages.none();
    }
}
