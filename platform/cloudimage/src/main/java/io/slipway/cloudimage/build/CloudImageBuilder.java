package io.slipway.cloudimage.build;

import io.slipway.cloudimage.cache.BuildCache;
import io.slipway.cloudimage.kubefile.Kubefile;
import io.slipway.cloudimage.kubefile.KubefileException;
import io.slipway.cloudimage.layer.BuildContext;
import io.slipway.cloudimage.layer.ContextException;
import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.layer.LayerExtractor;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.cloudimage.offline.ContainerImageCache;
import io.slipway.cloudimage.offline.NoContainerImageCache;
import io.slipway.cloudimage.offline.OfflineImages;
import io.slipway.cloudimage.offline.OfflineImagesRequest;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import io.slipway.outbound.OutboundPolicy;
import java.nio.charset.MalformedInputException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Builds a Kubefile and its context into a CloudImage in an {@link ImageStore}: sealer's {@code build}. Each platform
 * gets a manifest (several platforms an OCI index over them); layers are reproducible and reused from the build cache
 * when their inputs did not change; Slipway's metadata goes into {@code io.slipway.image.*} annotations. Thread-safe:
 * one builder serves concurrent builds on the same store.
 *
 * <p>Bad input (the Kubefile, its sources, its base image, a failing RUN) ends the build with a
 * {@link KubefileException} naming file and line; a missing context or Kubefile, or a malformed tag, with an
 * {@link IllegalArgumentException}; trouble of the machine (disk full) with an {@link IOException}.
 */
public final class CloudImageBuilder {

    private static final String OFFLINE_STEP = "cache container images";

    private final ImageStore store;
    private final BuildCache cache;
    private final ContainerImageCache imageCache;
    private final OutboundPolicy outbound;

    /** A builder whose ADD and APP URLs may reach public addresses only (see {@link #withOutboundPolicy}). */
    public CloudImageBuilder(ImageStore store) {
        this(store, BuildCache.open(store), NoContainerImageCache.INSTANCE, OutboundPolicy.PUBLIC_ONLY);
    }

    private CloudImageBuilder(ImageStore store, BuildCache cache, ContainerImageCache imageCache, OutboundPolicy outbound) {
        this.store = store;
        this.cache = cache;
        this.imageCache = imageCache;
        this.outbound = outbound;
    }

    /** The same builder, with container images cached into the images it builds. */
    public CloudImageBuilder withContainerImageCache(ContainerImageCache cacheOfImages) {
        return new CloudImageBuilder(store, cache, cacheOfImages, outbound);
    }

    /** The same builder, fetching ADD and APP URLs (and their redirects) only where {@code policy} allows. */
    public CloudImageBuilder withOutboundPolicy(OutboundPolicy policy) {
        return new CloudImageBuilder(store, cache, imageCache, policy);
    }

    /** The build cache, e.g. for {@code store.gc(cache().layerDigests())}. */
    public BuildCache cache() {
        return cache;
    }

    public BuiltImage build(BuildSpec spec, BuildListener listener) throws IOException {
        String name = spec.tag() == null ? null : normalizeTag(spec.tag());
        Kubefile kubefile = parse(spec);
        kubefile.warnings().forEach(listener::warning);
        BuildContext context;
        try {
            context = new BuildContext(spec.context());
        } catch (ContextException | NoSuchFileException e) {
            throw new IllegalArgumentException("the build context " + spec.context() + " is not a directory", e);
        }
        Path work = cache.newWorkDir("build-");
        try {
            BuildSession session = new BuildSession(store, cache, spec, kubefile, context, new Downloads(outbound), listener, work,
                    imageCache != NoContainerImageCache.INSTANCE);
            List<PlatformBuild> builds = new ArrayList<>();
            for (Platform platform : spec.platforms()) {
                builds.add(new PlatformBuild(session, platform).run());
            }
            builds.get(0).unusedBuildArgs().stream().sorted().forEach(arg -> listener.warning(
                    "build arg " + arg + " was given but no ARG in " + kubefile.fileName() + " declares it"));
            OfflineImages offline = cacheContainerImages(session, builds);
            List<String> images = new ArrayList<>(new TreeSet<>(concat(builds.get(0).baseImages(), offline.images())));
            return assemble(name, builds, images, offline.unresolved());
        } finally {
            cache.save();
            deleteTree(work);
        }
    }

    private static Kubefile parse(BuildSpec spec) throws IOException {
        Path file = spec.kubefile();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no Kubefile at " + file);
        }
        Path context = spec.context().toAbsolutePath().normalize();
        Path absolute = file.toAbsolutePath().normalize();
        String shown = absolute.startsWith(context) ? context.relativize(absolute).toString() : file.getFileName().toString();
        if (absolute.startsWith(context) && !file.toRealPath().startsWith(spec.context().toRealPath())) {
            // a context's Kubefile that is a link to a host file would quote that file's lines in its parse errors
            throw new IllegalArgumentException("the Kubefile " + shown + " resolves through a symbolic link to outside the build context");
        }
        try {
            return Kubefile.parse(shown, Files.readString(file));
        } catch (MalformedInputException e) {
            throw new KubefileException(shown, 1, "the Kubefile is not UTF-8 text");
        }
    }

    static String normalizeTag(String tag) {
        try {
            return Reference.parse(tag).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid image name '" + tag + "': " + e.getMessage(), e);
        }
    }

    /** Runs the offline-images hook once per group of platforms whose files are identical, and appends its layers. */
    private OfflineImages cacheContainerImages(BuildSession session, List<PlatformBuild> builds) throws IOException {
        if (imageCache == NoContainerImageCache.INSTANCE) {
            return OfflineImages.none();
        }
        Map<List<Digest>, List<PlatformBuild>> groups = new LinkedHashMap<>();
        for (PlatformBuild b : builds) {
            groups.computeIfAbsent(b.layers().stream().map(Layer::diffId).toList(), k -> new ArrayList<>()).add(b);
        }
        Map<Platform, Layer> layers = new LinkedHashMap<>();
        TreeSet<String> images = new TreeSet<>();
        TreeSet<String> unresolved = new TreeSet<>();
        int group = 0;
        for (List<PlatformBuild> members : groups.values()) {
            PlatformBuild first = members.get(0);
            int instructions = session.kubefile().instructions().size();
            BuildStep step = new BuildStep(instructions + 1, session.steps(), 0, null, OFFLINE_STEP, first.platform());
            session.listener().stepStarted(step);
            Path rootfs = work(session, "offline-rootfs-" + group);
            LayerExtractor.apply(store, first.layers().stream().map(Layer::descriptor).toList(), rootfs,
                    CloudImageBuilder::scanned);
            OfflineImagesRequest request = new OfflineImagesRequest(store, rootfs, first.applications(),
                    existing(rootfs.resolve("manifests")), existing(rootfs.resolve("charts")),
                    imageLists(rootfs), session.spec().extraImages(), first.baseImages(),
                    members.stream().map(PlatformBuild::platform).toList(), session.spec().compression(),
                    work(session, "offline-work-" + group), line -> session.listener().log(step, line));
            OfflineImages result = imageCache.cache(request);
            for (PlatformBuild b : members) {
                Layer layer = result.layers().get(b.platform());
                if (layer != null) {
                    b.addOfflineLayer(layer, OFFLINE_STEP);
                    layers.put(b.platform(), layer);
                    session.listener().layerBuilt(
                            new BuildStep(step.number(), step.total(), 0, null, OFFLINE_STEP, b.platform()),
                            layer.descriptor(), false);
                }
            }
            images.addAll(result.images());
            unresolved.addAll(result.unresolved());
            group++;
        }
        OfflineImages merged = new OfflineImages(layers, List.copyOf(images), List.copyOf(unresolved));
        session.listener().offlineImages(merged);
        return merged;
    }

    /** The parts of the image's files that can name container images, as sealer scans them. */
    private static boolean scanned(String path) {
        for (String root : List.of("application", "manifests", "charts")) {
            if (path.equals(root) || path.startsWith(root + "/")) {
                return true;
            }
        }
        return path.equals("imageList");
    }

    private static List<Path> imageLists(Path rootfs) {
        List<Path> lists = new ArrayList<>();
        for (Path p : List.of(rootfs.resolve("manifests").resolve("imageList"), rootfs.resolve("imageList"))) {
            if (Files.isRegularFile(p)) {
                lists.add(p);
            }
        }
        return lists;
    }

    private static Optional<Path> existing(Path dir) {
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    private static Path work(BuildSession session, String name) throws IOException {
        return Files.createDirectories(session.workDir().resolve(name));
    }

    private BuiltImage assemble(String name, List<PlatformBuild> builds, List<String> images, List<String> unresolved)
            throws IOException {
        List<BuiltImage.PlatformManifest> manifests = new ArrayList<>();
        CloudImageMetadata metadata = null;
        for (PlatformBuild b : builds) {
            Platform p = b.platform();
            CloudImageMetadata m = b.metadata(images);
            metadata = metadata == null ? m : metadata;
            ImageConfig config = new ImageConfig(p.architecture(), p.os(), p.variant(), b.config(),
                    ImageConfig.RootFs.layers(b.layers().stream().map(Layer::diffId).toList()), b.history(), null);
            Descriptor configDescriptor = store.putJson(MediaTypes.OCI_CONFIG, config);
            ImageManifest manifest = ImageManifest.oci(configDescriptor,
                    b.layers().stream().map(Layer::descriptor).toList(), m.toAnnotations());
            Descriptor manifestDescriptor = store.putJson(MediaTypes.OCI_MANIFEST, manifest);
            manifests.add(new BuiltImage.PlatformManifest(p, manifestDescriptor, b.layers().size(), b.cachedLayers()));
        }
        Descriptor image;
        if (manifests.size() == 1) {
            image = manifests.get(0).manifest();
        } else {
            ImageIndex index = ImageIndex.oci(manifests.stream().map(m -> m.manifest().withPlatform(m.platform())).toList(),
                    metadata.toAnnotations());
            image = store.putJson(MediaTypes.OCI_INDEX, index);
        }
        if (name != null) {
            store.tag(name, image);
        }
        return new BuiltImage(image, name, manifests, metadata, unresolved);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Removes the build's scratch space, including directories a RUN left read-only. */
    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    d.toFile().setWritable(true, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a)
                        throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a leftover work dir only takes space under build-cache/work; no later build reads it
        }
    }
}
