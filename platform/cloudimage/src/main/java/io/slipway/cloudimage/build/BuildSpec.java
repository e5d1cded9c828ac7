package io.slipway.cloudimage.build;

import io.slipway.cloudimage.layer.Compression;
import io.slipway.cloudimage.metadata.ImageType;
import io.slipway.oci.Platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One build request: sealer's {@code build -f Kubefile -t name [--platform ...] [--build-arg k=v] [--no-cache] CONTEXT}.
 *
 * @param context     the build context directory COPY, ADD and APP read from
 * @param kubefile    the Kubefile (usually inside the context)
 * @param tag         the name to give the image in the store (normalized like {@code Reference}), or null for none
 * @param platforms   platforms to build, at least one; several give an OCI index
 * @param buildArgs   values for the Kubefile's ARGs
 * @param noCache     rebuild every layer even if the cache has it
 * @param runTimeout  how long one RUN may take before it is killed and the build fails
 * @param compression how layers are compressed
 * @param extraImages container images to cache besides those found in the image's files
 * @param imageType   sealer's {@code --type}; empty: inferred (kube-installer when the image or its base has
 *                    KUBEVERSION, CNI or CSI)
 */
public record BuildSpec(Path context, Path kubefile, String tag, List<Platform> platforms, Map<String, String> buildArgs,
                        boolean noCache, Duration runTimeout, Compression compression, List<String> extraImages,
                        Optional<ImageType> imageType) {

    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(30);

    public BuildSpec {
        if (context == null) {
            throw new IllegalArgumentException("a build needs a context directory");
        }
        kubefile = kubefile == null ? context.resolve("Kubefile") : kubefile;
        platforms = platforms == null || platforms.isEmpty() ? List.of(Platform.current()) : List.copyOf(platforms);
        if (platforms.stream().distinct().count() != platforms.size()) {
            throw new IllegalArgumentException("platform listed twice: " + platforms);
        }
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
        runTimeout = runTimeout == null ? DEFAULT_RUN_TIMEOUT : runTimeout;
        if (runTimeout.isNegative() || runTimeout.isZero()) {
            throw new IllegalArgumentException("the RUN timeout must be positive, not " + runTimeout);
        }
        compression = compression == null ? Compression.NONE : compression;
        extraImages = extraImages == null ? List.of() : List.copyOf(extraImages);
        imageType = imageType == null ? Optional.empty() : imageType;
    }

    public static Builder builder(Path context) {
        return new Builder(context);
    }

    /** Fluent construction with the defaults: context/Kubefile, this host's platform, 30 min RUN timeout, no compression. */
    public static final class Builder {
        private final Path context;
        private Path kubefile;
        private String tag;
        private final List<Platform> platforms = new ArrayList<>();
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private boolean noCache;
        private Duration runTimeout;
        private Compression compression;
        private final List<String> extraImages = new ArrayList<>();
        private ImageType imageType;

        private Builder(Path context) {
            this.context = context;
        }

        public Builder kubefile(Path file) {
            this.kubefile = file;
            return this;
        }

        public Builder tag(String name) {
            this.tag = name;
            return this;
        }

        public Builder platform(Platform platform) {
            platforms.add(platform);
            return this;
        }

        public Builder platforms(List<Platform> list) {
            platforms.addAll(list);
            return this;
        }

        public Builder buildArg(String name, String value) {
            buildArgs.put(name, value);
            return this;
        }

        public Builder buildArgs(Map<String, String> args) {
            buildArgs.putAll(args);
            return this;
        }

        public Builder noCache(boolean value) {
            this.noCache = value;
            return this;
        }

        public Builder runTimeout(Duration timeout) {
            this.runTimeout = timeout;
            return this;
        }

        public Builder compression(Compression value) {
            this.compression = value;
            return this;
        }

        public Builder extraImages(List<String> images) {
            extraImages.addAll(images);
            return this;
        }

        public Builder imageType(ImageType type) {
            this.imageType = type;
            return this;
        }

        public BuildSpec build() {
            return new BuildSpec(context, kubefile, tag, platforms, buildArgs, noCache, runTimeout, compression,
                    extraImages, Optional.ofNullable(imageType));
        }
    }
}
