package io.slipway.cloudimage.offline;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.registry.RegistryClient;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The blobs of one caching run, each downloaded at most once however many images and platforms share it, into a
 * scratch directory where the registry layouts link them from. At most {@code concurrency} downloads run at once
 * across all images. Only content whose digest and size were verified ever appears under its digest.
 */
final class BlobDownloads {

    private final Path dir;
    private final Semaphore slots;
    private final ConcurrentMap<Digest, CompletableFuture<Path>> blobs = new ConcurrentHashMap<>();
    private final AtomicLong downloadedBytes = new AtomicLong();
    private final AtomicLong downloads = new AtomicLong();

    BlobDownloads(Path dir, int concurrency) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.slots = new Semaphore(concurrency);
    }

    /**
     * The verified file of {@code blob}, downloaded from {@code repository} unless this run has it already. A download
     * that failed is not remembered: the next image that needs the blob (perhaps from another repository) tries again.
     */
    Path fetch(RegistryClient client, String repository, Descriptor blob) throws IOException {
        while (true) {
            CompletableFuture<Path> mine = new CompletableFuture<>();
            CompletableFuture<Path> existing = blobs.putIfAbsent(blob.digest(), mine);
            if (existing == null) {
                return download(client, repository, blob, mine);
            }
            try {
                return existing.get();
            } catch (ExecutionException failedElsewhere) {
                // that download was for another image; this one gets its own attempt and its own error
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for blob " + blob.digest());
            }
        }
    }

    /** A manifest or index already read (and verified) from its registry, kept as a blob file of its own. */
    Path keep(Digest digest, byte[] bytes) throws IOException {
        Path target = dir.resolve(digest.hex());
        if (!Files.exists(target)) {
            Path part = Files.createTempFile(dir, "manifest-", ".part");
            try {
                Files.write(part, bytes);
                moveIn(part, target);
            } finally {
                Files.deleteIfExists(part);
            }
        }
        return target;
    }

    /** Bytes actually downloaded (blobs shared by images or platforms count once). */
    long downloadedBytes() {
        return downloadedBytes.get();
    }

    /** Blobs actually downloaded. */
    long downloads() {
        return downloads.get();
    }

    private Path download(RegistryClient client, String repository, Descriptor blob, CompletableFuture<Path> result)
            throws IOException {
        Path target = dir.resolve(blob.digest().hex());
        Path part = null;
        try {
            slots.acquire();
            try {
                part = Files.createTempFile(dir, "blob-", ".part");
                client.downloadBlob(repository, blob, part, n -> { });
                moveIn(part, target);
            } finally {
                slots.release();
            }
            downloadedBytes.addAndGet(blob.size());
            downloads.incrementAndGet();
            result.complete(target);
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            IOException interrupted = new InterruptedIOException("interrupted while waiting to download blob " + blob.digest());
            forget(blob.digest(), result, interrupted);
            throw interrupted;
        } catch (IOException | RuntimeException e) {
            forget(blob.digest(), result, e);
            throw e;
        } finally {
            if (part != null) {
                Files.deleteIfExists(part);
            }
        }
    }

    private void forget(Digest digest, CompletableFuture<Path> result, Exception cause) {
        blobs.remove(digest, result);
        result.completeExceptionally(cause);
    }

    private static void moveIn(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            // the same digest is the same bytes
        }
    }
}
