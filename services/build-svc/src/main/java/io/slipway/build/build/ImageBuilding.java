package io.slipway.build.build;

import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.BuildStep;
import io.slipway.cloudimage.build.BuiltImage;
import io.slipway.cloudimage.offline.ContainerImageCache;
import io.slipway.cloudimage.offline.OfflineImages;
import io.slipway.events.build.ImagePushed;
import io.slipway.events.build.ImagesCached;
import io.slipway.events.build.LayerBuilt;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.BlobOutcome;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.registry.TransferResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** The CloudImage part of a build run: the builder's progress becomes events and log lines; then the optional push. */
final class ImageBuilding {
    private ImageBuilding() {
    }

    static String build(BuildRun run, String name, Path context, Path kubefile, BuildRun.Progress progress,
                        Function<Registries, ContainerImageCache> caches, Supplier<Registries> registries) throws Exception {
        try (Registries open = registries.get()) {
            return build(run, name, context, kubefile, progress, caches.apply(open), open);
        }
    }

    private static String build(BuildRun run, String name, Path context, Path kubefile, BuildRun.Progress progress,
                                ContainerImageCache cache, Registries registries) throws Exception {
        Build build = run.build();
        List<Platform> platforms = new ArrayList<>();
        for (String p : build.platforms) {
            platforms.add(Platform.parse(p));
        }
        BuildSpec spec = BuildSpec.builder(context).kubefile(kubefile).tag(name).platforms(platforms).buildArgs(build.buildArgs)
                .noCache(build.noCache).runTimeout(run.config().runTimeout()).build();
        BuiltImage image = run.builder().withContainerImageCache(cache).build(spec, new BuildListener() {
            @Override
            public void stepStarted(BuildStep step) {
                run.log().accept(step.toString());
            }

            @Override
            public void log(BuildStep step, String line) {
                run.log().accept("  " + line);
            }

            @Override
            public void layerBuilt(BuildStep step, Descriptor layer, boolean fromCache) {
                run.log().accept("  " + (fromCache ? "cached " : "built ") + layer.digest().shortHex() + " (" + layer.size() + " bytes)");
                progress.layerBuilt(LayerBuilt.newBuilder().setBuildId(build.id).setStep(step.number()).setLine(step.line())
                        .setInstruction(step.text()).setPlatform(step.platform() == null ? null : step.platform().toString())
                        .setDigest(layer.digest().toString()).setSize(layer.size()).setCached(fromCache).build());
            }

            @Override
            public void offlineImages(OfflineImages result) {
                run.log().accept("cached " + result.images().size() + " container images" + (result.unresolved().isEmpty() ? ""
                        : "; unresolved: " + String.join("; ", result.unresolved())));
                progress.imagesCached(ImagesCached.newBuilder().setBuildId(build.id).setImages(result.images())
                        .setUnresolved(result.unresolved()).build());
                if (build.strict && !result.unresolved().isEmpty()) {
                    throw new StrictBuildFailure(result.unresolved().size() + " container image(s) could not be cached and the build is strict"
                            + " (it would not install offline): " + String.join("; ", result.unresolved()));
                }
            }

            @Override
            public void warning(String message) {
                run.log().accept("warning: " + message);
            }
        });
        if (build.push) {
            Reference remote = Reference.parse(name);
            run.log().accept("pushing " + remote);
            TransferResult pushed = new ImageTransfer(registries, 4).push(run.store(), name, remote, new TransferListener() {
                @Override
                public void blobFinished(Descriptor blob, BlobOutcome outcome) {
                    run.log().accept("  " + blob.digest().shortHex() + " " + outcome.name().toLowerCase());
                }
            });
            progress.pushed(ImagePushed.newBuilder().setBuildId(build.id).setReference(remote.toString())
                    .setDigest(pushed.root().digest().toString()).setBlobsUploaded(pushed.count(BlobOutcome.UPLOADED))
                    .setBlobsSkipped(pushed.count(BlobOutcome.ALREADY_PRESENT) + pushed.count(BlobOutcome.MOUNTED)).build());
        }
        return image.descriptor().digest().toString();
    }

    /** A strict build whose container images could not all be cached: raised from the listener, so nothing is tagged. */
    static final class StrictBuildFailure extends RuntimeException {
        StrictBuildFailure(String message) {
            super(message, null, false, false);
        }
    }
}
