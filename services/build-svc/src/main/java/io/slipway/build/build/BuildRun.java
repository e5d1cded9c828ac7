package io.slipway.build.build;

import io.slipway.build.BuildServiceConfig;
import io.slipway.build.context.BuildContexts;
import io.slipway.build.context.ContextSource;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.events.build.ImagePushed;
import io.slipway.events.build.ImagesCached;
import io.slipway.events.build.LayerBuilt;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import io.slipway.cloudimage.offline.ContainerImageCache;
import io.slipway.oci.registry.Registries;

/**
 * One build, start to end, in plain Java: fetch the context, build the CloudImage into the store, push it when asked.
 * Progress goes to {@link Progress} (the worker turns each call into an event) and to the build log.
 */
final class BuildRun {

    /** What the worker records for each step. */
    interface Progress {
        void layerBuilt(LayerBuilt event);

        void imagesCached(ImagesCached event);

        void pushed(ImagePushed event);
    }

    private final Build build;
    private final BuildContexts contexts;
    private final ImageStore store;
    private final CloudImageBuilder builder;
    private final Path work;
    private final BuildServiceConfig config;
    private final Consumer<String> log;
    private final Function<Registries, ContainerImageCache> caches;
    private final Supplier<Registries> registries;

    BuildRun(Build build, BuildContexts contexts, CloudImageBuilder builder, ImageStore store, Path work, BuildServiceConfig config, Consumer<String> log,
             Function<Registries, ContainerImageCache> caches, Supplier<Registries> registries) {
        this.caches = caches;
        this.registries = registries;
        this.build = build;
        this.contexts = contexts;
        this.store = store;
        this.builder = builder;
        this.work = work;
        this.config = config;
        this.log = log;
    }

    /** Runs the build and answers the digest of the image (manifest, or index for several platforms). */
    String execute(Progress progress) throws Exception {
        String name = Reference.parse(build.image).toString();
        Path contextDir = work.resolve("context");
        contexts.materialize(ContextSource.parse(build.context), contextDir, log);
        Path kubefile = contextDir.resolve(build.kubefile).normalize();
        if (!kubefile.startsWith(contextDir) || !Files.isRegularFile(kubefile)) {
            throw new BuildFailure("no Kubefile at '" + build.kubefile + "' in the context " + ContextSource.parse(build.context));
        }
        return ImageBuilding.build(this, name, contextDir, kubefile, progress, caches, registries);
    }

    Build build() {
        return build;
    }

    CloudImageBuilder builder() {
        return builder;
    }

    ImageStore store() {
        return store;
    }

    Path work() {
        return work;
    }

    BuildServiceConfig config() {
        return config;
    }

    Consumer<String> log() {
        return log;
    }

    /** The failure as a user reads it: the message chain, without stack traces or class names of our own. */
    static String reason(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                message = t.getClass().getSimpleName();
            }
            if (parts.isEmpty() || !parts.get(parts.size() - 1).contains(message)) {
                parts.add(message);
            }
        }
        return String.join(": ", parts);
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover work dir is removed with the next build of the same id or by hand; nothing depends on it
        }
    }

    /** A build that cannot succeed, for a reason the user can act on. */
    static final class BuildFailure extends Exception {
        BuildFailure(String message) {
            super(message);
        }
    }
}
