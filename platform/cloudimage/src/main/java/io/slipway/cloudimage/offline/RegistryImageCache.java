package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.layer.LayerWriter;
import io.slipway.imageref.ImageReference;
import io.slipway.imageref.InvalidReferenceException;
import io.slipway.imagescan.FoundImage;
import io.slipway.imagescan.ImageScanner;
import io.slipway.imagescan.ScanResult;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ManifestContent;
import io.slipway.oci.registry.Parallel;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Caches the container images a CloudImage names into it, as a registry that deploy-svc serves on the cluster with no
 * internet: the image scanner finds the images in the image's manifests, charts, applications and imageList files;
 * each is pulled from its registry for every platform of the build, and each platform gets one reproducible layer
 * holding a docker distribution storage directory at {@value OfflineImagesRequest#REGISTRY_DIR}. Images are stored
 * under their repository without the registry host ({@code docker.io/library/nginx:1.25} as {@code library/nginx:1.25}),
 * the way containerd asks a mirror for them.
 *
 * <p>What cannot be cached (an unresolvable reference, a registry that refuses, a platform the image lacks) is
 * reported as {@code file[:line]: image: reason}; it never fails the build. The {@link Registries} belong to the caller
 * (one per build, with its logins and insecure-registry settings), who closes them after the build.
 */
public final class RegistryImageCache implements ContainerImageCache {

    /** Concurrent image pulls, and concurrent blob downloads across them. */
    public static final int DEFAULT_CONCURRENCY = 4;

    private final Registries registries;
    private final int concurrency;
    private final ImageScanner scanner = new ImageScanner();

    public RegistryImageCache(Registries registries) {
        this(registries, DEFAULT_CONCURRENCY);
    }

    public RegistryImageCache(Registries registries, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.registries = registries;
        this.concurrency = concurrency;
    }

    @Override
    public OfflineImages cache(OfflineImagesRequest request) throws IOException {
        Outcome outcome = new Outcome(request.log());
        List<WantedImage> wanted = select(request, outcome);
        if (wanted.isEmpty()) {
            return outcome.result(Map.of());
        }
        Path work = Files.createTempDirectory(Files.createDirectories(request.workDir()), "registry-cache-");
        BlobDownloads downloads = new BlobDownloads(work.resolve("blobs"), concurrency);
        ImageFetcher fetcher = new ImageFetcher(registries, downloads, concurrency);
        List<Resolved> resolved = new ArrayList<>();
        for (Resolved r : resolve(fetcher, wanted)) {
            if (r.failure() == null) {
                resolved.add(r);
            } else {
                outcome.unresolved(r.image(), r.failure());
            }
        }
        Map<Platform, Layer> layers = new LinkedHashMap<>();
        int n = 0;
        for (Platform platform : request.platforms()) {
            RegistryLayout layout = RegistryLayout.create(work.resolve("registry-" + n++));
            cacheFor(platform, resolved, fetcher, layout, outcome);
            if (!layout.isEmpty()) {
                Layer layer = LayerWriter.writeDirectory(request.store(), request.compression(), layout.root(),
                        OfflineImagesRequest.REGISTRY_DIR);
                layers.put(platform, layer);
                outcome.log("registry layer for " + platform + ": " + layer.descriptor().digest().shortHex() + ", "
                        + megabytes(layer.descriptor().size()));
            }
        }
        outcome.log("downloaded " + downloads.downloads() + " blobs, " + megabytes(downloads.downloadedBytes()));
        return outcome.result(layers);
    }

    /** Scans the image's files and keeps the images to pull; what cannot be pulled is reported at once. */
    private List<WantedImage> select(OfflineImagesRequest request, Outcome outcome) throws IOException {
        RootfsScan scan = RootfsScan.of(request);
        ScanResult found = scanner.scan(scan.input(request));
        found.problems().forEach(problem -> outcome.unresolved(scan.describe(problem)));
        Set<String> inBase = normalized(request.alreadyCached());
        List<WantedImage> wanted = wanted(found, scan, inBase, outcome);
        long alreadyCached = found.images().stream().filter(image -> inBase.contains(image.reference())).count();
        outcome.log("container images: " + found.images().size() + " found, " + alreadyCached + " already in the base "
                + "image, " + outcome.unresolvedCount() + " not resolved; caching " + wanted.size() + " for "
                + request.platforms().stream().map(Platform::toString).collect(Collectors.joining(", ")));
        return wanted;
    }

    /** Pulls every resolved image for {@code platform} into {@code layout}, reporting those that cannot be. */
    private void cacheFor(Platform platform, List<Resolved> resolved, ImageFetcher fetcher, RegistryLayout layout,
                          Outcome outcome) throws IOException {
        for (Fetched f : fetch(fetcher, resolved, platform)) {
            if (f.failure() != null) {
                outcome.unresolved(f.image(), platform + ": " + f.failure());
                if (!f.notForPlatform()) {
                    outcome.failed(f.image());
                }
                continue;
            }
            f.content().writeTo(layout);
            outcome.cached(f.image());
            outcome.log("cached " + f.image().reference() + " for " + platform + " (" + f.content().blobs().size()
                    + " blobs, " + megabytes(f.content().size()) + ")");
        }
    }

    /**
     * The images to pull: not in the base image, with a reference the registry client takes, and not claiming a
     * repository tag another registry's image already has in the offline registry (which has no registry hosts in its
     * names, so {@code quay.io/a/b:1} and {@code docker.io/a/b:1} would be the same tag).
     */
    private static List<WantedImage> wanted(ScanResult found, RootfsScan scan, Set<String> inBase, Outcome outcome) {
        Map<String, String> tagOwners = new HashMap<>();
        for (String base : inBase) {
            taggedName(base).ifPresent(key -> tagOwners.putIfAbsent(key, base));
        }
        List<WantedImage> wanted = new ArrayList<>();
        for (FoundImage image : found.images()) {
            String reference = image.reference();
            if (inBase.contains(reference)) {
                continue;
            }
            String origin = scan.origin(image);
            Reference source;
            try {
                source = Reference.parse(reference);
            } catch (IllegalArgumentException e) {
                outcome.unresolved(origin + ": " + reference + ": " + e.getMessage());
                continue;
            }
            if (source.digest() == null) {
                String key = source.repository() + ":" + source.tag();
                String owner = tagOwners.putIfAbsent(key, reference);
                if (owner != null) {
                    outcome.unresolved(origin + ": " + reference + ": the offline registry already serves " + owner
                            + " as " + key + " (it names images without their registry host)");
                    continue;
                }
            }
            wanted.add(new WantedImage(reference, source, origin));
        }
        return wanted;
    }

    private List<Resolved> resolve(ImageFetcher fetcher, List<WantedImage> wanted) throws IOException {
        List<Callable<Resolved>> tasks = new ArrayList<>();
        for (WantedImage image : wanted) {
            tasks.add(() -> {
                try {
                    return new Resolved(image, fetcher.resolve(image.source()), null);
                } catch (IOException e) {
                    return new Resolved(image, null, reason(e));
                }
            });
        }
        return Parallel.run(concurrency, "offline-resolve", tasks);
    }

    private List<Fetched> fetch(ImageFetcher fetcher, List<Resolved> resolved, Platform platform) throws IOException {
        List<Callable<Fetched>> tasks = new ArrayList<>();
        for (Resolved r : resolved) {
            tasks.add(() -> {
                try {
                    return new Fetched(r.image(), fetcher.fetch(r.image().source(), r.top(), platform), null, false);
                } catch (NotForPlatformException e) {
                    return new Fetched(r.image(), null, e.getMessage(), true);
                } catch (IOException e) {
                    return new Fetched(r.image(), null, reason(e), false);
                }
            });
        }
        return Parallel.run(concurrency, "offline-image", tasks);
    }

    /** An interrupted build stops; every other failure is the image's own and is reported. */
    private static String reason(IOException e) throws IOException {
        if (e instanceof InterruptedIOException || e instanceof RegistryException.Interrupted) {
            throw e;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Set<String> normalized(List<String> references) {
        Set<String> normalized = new TreeSet<>();
        for (String reference : references) {
            try {
                normalized.add(ImageReference.parse(reference).toString());
            } catch (InvalidReferenceException e) {
                normalized.add(reference);
            }
        }
        return normalized;
    }

    private static Optional<String> taggedName(String reference) {
        try {
            Reference r = Reference.parse(reference);
            return r.digest() == null ? Optional.of(r.repository() + ":" + r.tag()) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /**
     * What one run did, gathered on the calling thread: the lines that could not be cached (logged as they come) and
     * which images were cached on some platform or failed on one.
     */
    private static final class Outcome {
        private final Consumer<String> log;
        private final List<String> unresolved = new ArrayList<>();
        private final Set<String> cached = new TreeSet<>();
        private final Set<String> failed = new HashSet<>();

        Outcome(Consumer<String> log) {
            this.log = log;
        }

        void log(String line) {
            log.accept(line);
        }

        void unresolved(String line) {
            unresolved.add(line);
            log.accept("not cached: " + line);
        }

        void unresolved(WantedImage image, String reason) {
            unresolved(image.origin() + ": " + image.reference() + ": " + reason);
        }

        int unresolvedCount() {
            return unresolved.size();
        }

        void cached(WantedImage image) {
            cached.add(image.reference());
        }

        void failed(WantedImage image) {
            failed.add(image.reference());
        }

        /**
         * A derived image skips what this one lists, so an image that failed on some platform is not listed; one that
         * does not exist for some platform is, as a derived image could not pull it for that platform either.
         */
        OfflineImages result(Map<Platform, Layer> layers) {
            List<String> images = cached.stream().filter(image -> !failed.contains(image)).toList();
            return new OfflineImages(layers, images, unresolved.stream().sorted().toList());
        }
    }

    /** An image to cache: its normalized reference, the same for the registry client, and where it was first named. */
    private record WantedImage(String reference, Reference source, String origin) {
    }

    /** What an image's reference names at its registry, or why it could not be read. */
    private record Resolved(WantedImage image, ManifestContent top, String failure) {
    }

    /** An image's content for one platform, or why it could not be pulled (perhaps because it does not exist for it). */
    private record Fetched(WantedImage image, PlatformImage content, String failure, boolean notForPlatform) {
    }
}
