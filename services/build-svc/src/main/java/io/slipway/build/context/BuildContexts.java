package io.slipway.build.context;

import io.slipway.cloudimage.layer.ArchiveExtractor;
import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Build contexts: archives uploaded ahead of a build (content-addressed under the data dir) and git checkouts,
 * each materialized into a fresh work directory for one build.
 */
public final class BuildContexts {
    private final Path archives;
    private final long maxArchiveBytes;
    private final ArchiveExtractor.Limits unpackLimits;
    private final GitClone git;

    public BuildContexts(Path dataDir, long maxArchiveBytes, ArchiveExtractor.Limits unpackLimits, GitClone git) throws IOException {
        this.archives = Files.createDirectories(dataDir.resolve("contexts"));
        this.maxArchiveBytes = maxArchiveBytes;
        this.unpackLimits = unpackLimits;
        this.git = git;
    }

    /** Stores an uploaded tar or tar.gz; the id is its sha256, so uploading the same context twice stores it once. */
    public String store(InputStream upload) throws IOException {
        Path part = Files.createTempFile(archives, "upload-", ".part");
        try {
            DigestingOutputStream out;
            try (OutputStream file = Files.newOutputStream(part)) {
                out = new DigestingOutputStream(file);
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = upload.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    if (out.size() > maxArchiveBytes) {
                        throw new ContextException("the context archive is larger than the limit of " + maxArchiveBytes + " bytes");
                    }
                }
            }
            Digest digest = out.digest();
            checkIsArchive(part);
            Files.move(part, archiveFile(digest.hex()), StandardCopyOption.REPLACE_EXISTING);
            return digest.hex();
        } finally {
            Files.deleteIfExists(part);
        }
    }

    public boolean hasArchive(String id) {
        return Files.exists(archiveFile(id));
    }

    /** Fills {@code workDir} (empty) with the context's files. */
    public void materialize(ContextSource source, Path workDir, Consumer<String> log) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        switch (source) {
            case ContextSource.Archive a -> {
                Path file = archiveFile(a.id());
                if (!Files.exists(file)) {
                    throw new ContextException("context " + a + " was never uploaded (or was removed); upload it with POST /api/v1/builds/contexts");
                }
                log.accept("unpacking context " + a);
                try {
                    // the same checks ADD applies to archives: no absolute names, no '..', no links out, no devices, and
                    // no more than the configured bytes and entries once unpacked
                    ArchiveExtractor.extract(file, workDir, a.toString(), unpackLimits);
                } catch (io.slipway.cloudimage.layer.ContextException e) {
                    throw new ContextException(e.getMessage());
                }
            }
            case ContextSource.Git g -> git.cloneInto(g, workDir, log);
        }
    }

    private Path archiveFile(String id) {
        return archives.resolve(id + ".tar");
    }

    private static void checkIsArchive(Path file) throws IOException {
        if (!ArchiveExtractor.isArchive(file)) {
            throw new ContextException("the context is not a tar or tar.gz archive");
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.forEach(paths::add);
        }
        for (int i = paths.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(paths.get(i));
        }
    }
}
