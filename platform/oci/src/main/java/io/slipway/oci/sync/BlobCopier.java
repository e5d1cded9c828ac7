package io.slipway.oci.sync;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.registry.BlobOutcome;
import io.slipway.oci.registry.RegistryClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies blobs registry to registry for one job, each at most once per destination repository however many images
 * share it: a blob the destination has is left alone; one the destination registry holds in another repository (the
 * source repository on the same registry, or a repository this job already filled) is mounted; otherwise it is
 * downloaded once per job into a temp file (digest checked) and uploaded from there to every destination that lacks it.
 */
final class BlobCopier {

    private final Path workDir;
    private final Semaphore transfers;
    private final JobRetry retry;
    private final Map<String, CompletableFuture<BlobOutcome>> copies = new ConcurrentHashMap<>();
    private final Map<Digest, CompletableFuture<Path>> downloads = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> holders = new ConcurrentHashMap<>();
    private final AtomicInteger uploaded = new AtomicInteger();
    private final AtomicLong bytesUploaded = new AtomicLong();
    private final AtomicInteger mounted = new AtomicInteger();
    private final AtomicInteger present = new AtomicInteger();

    BlobCopier(Path workDir, int concurrency, JobRetry retry) {
        this.workDir = workDir;
        this.transfers = new Semaphore(concurrency);
        this.retry = retry;
    }

    /** Makes {@code to}/{@code toRepo} hold the blob; the first caller for a destination repository does the work, others wait for it. */
    BlobOutcome copy(RegistryClient from, String fromRepo, RegistryClient to, String toRepo, Descriptor blob) throws IOException {
        String key = to.registry() + "/" + toRepo + "@" + blob.digest();
        CompletableFuture<BlobOutcome> mine = new CompletableFuture<>();
        CompletableFuture<BlobOutcome> existing = copies.putIfAbsent(key, mine);
        if (existing != null) {
            return await(existing);
        }
        try {
            BlobOutcome outcome = retry.run("copy blob " + blob.digest().shortHex() + " to " + to.registry() + "/" + toRepo,
                    () -> copyOnce(from, fromRepo, to, toRepo, blob));
            holders.computeIfAbsent(to.registry() + "@" + blob.digest(), k -> ConcurrentHashMap.newKeySet()).add(toRepo);
            mine.complete(outcome);
            return outcome;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            // a later image may try again (the failure is reported for this one)
            copies.remove(key, mine);
            throw e;
        }
    }

    private BlobOutcome copyOnce(RegistryClient from, String fromRepo, RegistryClient to, String toRepo, Descriptor blob) throws IOException {
        transfers.acquireUninterruptibly();
        try {
            if (to.blobSize(toRepo, blob.digest()).isPresent()) {
                present.incrementAndGet();
                return BlobOutcome.ALREADY_PRESENT;
            }
            for (String candidate : mountCandidates(from, fromRepo, to, toRepo, blob.digest())) {
                if (to.mountBlob(toRepo, blob.digest(), candidate)) {
                    mounted.incrementAndGet();
                    return BlobOutcome.MOUNTED;
                }
            }
            Path content = download(from, fromRepo, blob);
            BlobOutcome outcome = to.pushBlob(toRepo, blob, content, null, n -> { });
            if (outcome == BlobOutcome.UPLOADED) {
                uploaded.incrementAndGet();
                bytesUploaded.addAndGet(blob.size());
            } else if (outcome == BlobOutcome.ALREADY_PRESENT) {
                present.incrementAndGet();
            }
            return outcome;
        } finally {
            transfers.release();
        }
    }

    private Set<String> mountCandidates(RegistryClient from, String fromRepo, RegistryClient to, String toRepo, Digest digest) {
        Set<String> candidates = new java.util.LinkedHashSet<>();
        if (from.registry().equals(to.registry()) && !fromRepo.equals(toRepo)) {
            candidates.add(fromRepo);
        }
        for (String repo : holders.getOrDefault(to.registry() + "@" + digest, Set.of())) {
            if (!repo.equals(toRepo)) {
                candidates.add(repo);
                break;
            }
        }
        return candidates;
    }

    /** The blob's bytes in a job temp file, downloaded by the first copy that needs them. */
    private Path download(RegistryClient from, String fromRepo, Descriptor blob) throws IOException {
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> existing = downloads.putIfAbsent(blob.digest(), mine);
        if (existing != null) {
            return await(existing);
        }
        Path file = workDir.resolve(blob.digest().hex());
        try {
            from.downloadBlob(fromRepo, blob, file, n -> { });
            mine.complete(file);
            return file;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            mine.completeExceptionally(e);
            downloads.remove(blob.digest(), mine);
            throw e;
        }
    }

    SyncReport.BlobCounts counts() {
        return new SyncReport.BlobCounts(uploaded.get(), bytesUploaded.get(), mounted.get(), present.get());
    }

    private static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a blob copy");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }
}
