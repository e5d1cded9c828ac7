package io.slipway.oci.sync;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.registry.ManifestContent;
import io.slipway.oci.registry.Parallel;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.RetryPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * Runs sync rules: lists what each source selects, then copies every image to each destination registry to registry
 * (blobs through {@link BlobCopier}: deduplicated, mounted where possible, via job temp files, never through an
 * image store), index platforms filtered, manifests pushed children first and the tag last, so a destination never
 * shows a tag whose content is incomplete. At most {@code concurrency} images and {@code concurrency} blob transfers
 * run at once; failures are retried, then reported per image while the others go on.
 */
public final class SyncJob {

    private final SyncRules rules;
    private final Registries registries;
    private final Path workDir;
    private final RetryPolicy retryPolicy;

    /**
     * @param workDir     where blobs wait between download and upload (a fresh directory is made inside and removed)
     * @param retryDelay  the first pause before retrying a failed blob or manifest (doubling, with jitter)
     */
    public SyncJob(SyncRules rules, Registries registries, Path workDir, Duration retryDelay) {
        this.rules = rules;
        this.registries = registries;
        this.workDir = workDir;
        this.retryPolicy = new RetryPolicy(rules.retries() + 1, retryDelay, retryDelay.multipliedBy(16));
    }

    public SyncReport run(SyncListener listener) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(workDir);
        Path scratch = Files.createTempDirectory(workDir, "sync-");
        Outcomes outcomes = new Outcomes(listener);
        JobRetry retry = new JobRetry(retryPolicy);
        BlobCopier blobs = new BlobCopier(scratch, rules.concurrency(), retry);
        try {
            List<ImageTask> tasks = expand(outcomes);
            Semaphore images = new Semaphore(rules.concurrency());
            try (ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("oci-sync-", 0).factory())) {
                List<Future<?>> running = new ArrayList<>();
                for (ImageTask task : tasks) {
                    running.add(pool.submit(() -> {
                        images.acquireUninterruptibly();
                        try {
                            syncImage(task, blobs, retry, pool, outcomes);
                        } finally {
                            images.release();
                        }
                    }));
                }
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        running.forEach(other -> other.cancel(true));
                        throw new java.io.InterruptedIOException("sync interrupted");
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("a sync task failed outside its own error handling", e.getCause());
                    }
                }
            }
        } finally {
            deleteTree(scratch);
        }
        return outcomes.report(blobs.counts(), Duration.ofNanos(System.nanoTime() - started));
    }

    /** One image to copy: a source tag or digest and the destination reference it goes to. */
    private record ImageTask(SyncRule rule, String sourceRegistry, String sourceRepo, String sourceRef,
                             SyncRule.Destination destination, String destinationRef) {
        String source() {
            return sourceRegistry + "/" + sourceRepo + (sourceRef.startsWith("sha256:") ? "@" : ":") + sourceRef;
        }

        String target() {
            return destination.registry() + "/" + destination.repository()
                    + (destinationRef.startsWith("sha256:") ? "@" : ":") + destinationRef;
        }
    }

    private List<ImageTask> expand(Outcomes outcomes) {
        List<ImageTask> tasks = new ArrayList<>();
        for (SyncRule rule : rules.rules()) {
            SyncRule.Source src = rule.source();
            List<String> refs;
            try {
                refs = switch (src.tags()) {
                    case TagSelector.AllTags a -> sorted(client(src.registry()).listTags(src.repository()));
                    case TagSelector.Matching m -> sorted(client(src.registry()).listTags(src.repository())).stream().filter(m::matches).toList();
                    case TagSelector.Listed l -> l.tags();
                    case TagSelector.Pinned p -> List.of(p.digest().toString());
                };
            } catch (IOException | RuntimeException e) {
                for (SyncRule.Destination d : rule.destinations()) {
                    outcomes.failed(new SyncReport.Entry(src.toString(), d.toString(), null,
                            "listing tags failed (rule at line " + rule.line() + "): " + message(e)));
                }
                continue;
            }
            if (refs.isEmpty()) {
                for (SyncRule.Destination d : rule.destinations()) {
                    outcomes.skipped(new SyncReport.Entry(src.toString(), d.toString(), null, "no tag matched " + src.tags()));
                }
                continue;
            }
            for (String ref : refs) {
                for (SyncRule.Destination d : rule.destinations()) {
                    String target = d.tag() != null ? d.tag() : ref;
                    tasks.add(new ImageTask(rule, src.registry(), src.repository(), ref, d, target));
                }
            }
        }
        return tasks;
    }

    private void syncImage(ImageTask task, BlobCopier blobs, JobRetry retry, ExecutorService pool, Outcomes outcomes) {
        Digest digest = null;
        try {
            RegistryClient from = client(task.sourceRegistry());
            RegistryClient to = client(task.destination().registry());
            ManifestContent top = retry.run("get " + task.source(), () -> from.getManifest(task.sourceRepo(), task.sourceRef()));
            List<ManifestContent> manifests = new ArrayList<>();
            ManifestContent root = top;
            if (top.isIndex()) {
                ImageIndex index = Json.read(top.bytes(), ImageIndex.class);
                List<Descriptor> kept = index.manifests().stream().filter(d -> d.platform() != null
                        ? rules.platforms().allows(d.platform()) : rules.platforms().allowsAll()).toList();
                if (kept.isEmpty()) {
                    outcomes.skipped(new SyncReport.Entry(task.source(), task.target(), top.digest(),
                            "no manifest in the index for " + rules.platforms()));
                    return;
                }
                if (kept.size() < index.manifests().size()) {
                    byte[] filtered = Json.canonical(new ImageIndex(2, top.mediaType(), kept, index.annotations()));
                    root = new ManifestContent(top.mediaType(), Digest.of(filtered), filtered);
                }
                for (Descriptor child : kept) {
                    manifests.add(retry.run("get manifest " + child.digest().shortHex(),
                            () -> from.getManifest(task.sourceRepo(), child.digest().toString())));
                }
            } else {
                manifests.add(top);
            }
            digest = root.digest();
            if (!top.isIndex() && !rules.platforms().allowsAll()) {
                ImageConfig config = config(from, task.sourceRepo(), Json.read(top.bytes(), ImageManifest.class));
                if (!rules.platforms().allows(config.platform())) {
                    outcomes.skipped(new SyncReport.Entry(task.source(), task.target(), digest,
                            "the image is for " + config.platform() + ", outside " + rules.platforms()));
                    return;
                }
            }
            ManifestContent pushedRoot = root;
            if (to.headManifest(task.destination().repository(), task.destinationRef())
                    .map(d -> d.digest().equals(pushedRoot.digest())).orElse(false)) {
                outcomes.skipped(new SyncReport.Entry(task.source(), task.target(), digest, "already present"));
                return;
            }
            copyBlobs(task, manifests, from, to, blobs, pool);
            for (ManifestContent m : top.isIndex() ? manifests : List.<ManifestContent>of()) {
                retry.run("push manifest " + m.digest().shortHex(),
                        () -> to.putManifest(task.destination().repository(), m.digest().toString(), m));
            }
            retry.run("push " + task.target(), () -> to.putManifest(task.destination().repository(), task.destinationRef(), pushedRoot));
            outcomes.synced(new SyncReport.Entry(task.source(), task.target(), digest,
                    top.isIndex() ? manifests.size() + " platform(s)" : null));
        } catch (IOException | RuntimeException e) {
            outcomes.failed(new SyncReport.Entry(task.source(), task.target(), digest, message(e)));
        }
    }

    private void copyBlobs(ImageTask task, List<ManifestContent> manifests, RegistryClient from, RegistryClient to,
                           BlobCopier blobs, ExecutorService pool) throws IOException {
        Map<Digest, Descriptor> needed = new LinkedHashMap<>();
        for (ManifestContent m : manifests) {
            ImageManifest manifest = Json.read(m.bytes(), ImageManifest.class);
            if (!MediaTypes.isManifest(m.mediaType()) || manifest.config() == null) {
                throw new IOException(task.source() + ": manifest " + m.digest() + " (" + m.mediaType() + ") is not an image manifest");
            }
            needed.putIfAbsent(manifest.config().digest(), manifest.config());
            manifest.layers().forEach(l -> needed.putIfAbsent(l.digest(), l));
        }
        List<Callable<Object>> copies = new ArrayList<>();
        for (Descriptor blob : needed.values()) {
            copies.add(() -> blobs.copy(from, task.sourceRepo(), to, task.destination().repository(), blob));
        }
        // the blob copier bounds the transfers; these threads mostly wait
        Parallel.run(needed.size(), "oci-sync-blob", copies);
    }

    private ImageConfig config(RegistryClient from, String repo, ImageManifest manifest) throws IOException {
        Path tmp = Files.createTempFile(workDir, "config-", ".json");
        try {
            from.downloadBlob(repo, manifest.config(), tmp, n -> { });
            return Json.read(Files.readAllBytes(tmp), ImageConfig.class);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private RegistryClient client(String registry) throws IOException {
        return registries.client(registry);
    }

    private static List<String> sorted(List<String> tags) {
        List<String> copy = new ArrayList<>(tags);
        Collections.sort(copy);
        return copy;
    }

    private static String message(Throwable e) {
        if (e instanceof UncheckedIOException u) {
            e = u.getCause();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Collects report entries from concurrent image tasks. */
    private static final class Outcomes {
        private final SyncListener listener;
        private final List<SyncReport.Entry> synced = new ArrayList<>();
        private final List<SyncReport.Entry> skipped = new ArrayList<>();
        private final List<SyncReport.Entry> failed = new ArrayList<>();

        Outcomes(SyncListener listener) {
            this.listener = listener;
        }

        synchronized void synced(SyncReport.Entry e) {
            synced.add(e);
            listener.synced(e);
        }

        synchronized void skipped(SyncReport.Entry e) {
            skipped.add(e);
            listener.skipped(e);
        }

        synchronized void failed(SyncReport.Entry e) {
            failed.add(e);
            listener.failed(e);
        }

        synchronized SyncReport report(SyncReport.BlobCounts counts, Duration took) {
            return new SyncReport(synced, skipped, failed, counts, took);
        }
    }
}
