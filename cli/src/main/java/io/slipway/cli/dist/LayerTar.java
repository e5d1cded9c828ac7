package io.slipway.cli.dist;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a {@link LayerContent} as a gzip-compressed tar straight into an image store, hashing the compressed blob and
 * the tar (the config's diff id) on the way. Reproducible: entries in path order, mtime 0, numeric owners only (no user
 * or group names), PAX headers for long names; the same content gives the same digest, so a push of an unchanged layer
 * sends nothing.
 */
final class LayerTar {

    /** A layer in the store: the blob's descriptor and the digest of its uncompressed tar. */
    record Layer(Descriptor blob, Digest diffId, long tarSize) {
    }

    private LayerTar() {
    }

    /**
     * {@code level} is a {@link java.util.zip.Deflater} level: 0 stores (jars are deflated already, and compressing them
     * again costs seconds of CPU for a few percent), higher ones pay off for a JRE's module image and libraries.
     */
    static Layer write(ImageStore store, LayerContent content, int level) throws IOException {
        Path temp = store.newTempFile();
        try {
            DigestingOutputStream blob;
            DigestingOutputStream tar;
            try (OutputStream file = Files.newOutputStream(temp)) {
                blob = new DigestingOutputStream(file);
                GZIPOutputStream gzip = new LeveledGzip(blob, level);
                tar = new DigestingOutputStream(gzip);
                try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar, "UTF-8")) {
                    out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    out.setAddPaxHeadersForNonAsciiNames(true);
                    for (Map.Entry<String, LayerContent.Entry> e : content.entries().entrySet()) {
                        writeEntry(out, e.getKey(), e.getValue());
                    }
                    out.finish();
                }
            }
            Descriptor descriptor = store.putBlob(MediaTypes.OCI_LAYER_GZIP, temp, blob.digest(), blob.size());
            return new Layer(descriptor, tar.digest(), tar.size());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeEntry(TarArchiveOutputStream out, String path, LayerContent.Entry entry) throws IOException {
        TarArchiveEntry tar = switch (entry) {
            case LayerContent.Directory d -> new TarArchiveEntry(path + "/", TarConstants.LF_DIR);
            case LayerContent.Symlink s -> {
                TarArchiveEntry link = new TarArchiveEntry(path, TarConstants.LF_SYMLINK);
                link.setLinkName(s.target());
                yield link;
            }
            case LayerContent.HostFile f -> sized(path, f.size());
            case LayerContent.Bytes b -> sized(path, b.content().length);
        };
        int type = switch (entry) {
            case LayerContent.Directory d -> 040000;
            case LayerContent.Symlink s -> 0120000;
            default -> 0100000;
        };
        tar.setMode(type | entry.mode());
        tar.setUserId(entry.owner());
        tar.setGroupId(entry.owner());
        tar.setUserName("");
        tar.setGroupName("");
        tar.setModTime(0L);
        out.putArchiveEntry(tar);
        switch (entry) {
            case LayerContent.HostFile f -> {
                try (InputStream in = Files.newInputStream(f.source())) {
                    long copied = in.transferTo(out);
                    if (copied != f.size()) {
                        throw new IOException(f.source() + " changed while it was written into a layer (" + copied
                                + " bytes instead of " + f.size() + ")");
                    }
                }
            }
            case LayerContent.Bytes b -> out.write(b.content());
            default -> {
            }
        }
        out.closeArchiveEntry();
    }

    private static TarArchiveEntry sized(String path, long size) {
        TarArchiveEntry file = new TarArchiveEntry(path, TarConstants.LF_NORMAL);
        file.setSize(size);
        return file;
    }

    /** GZIP at a chosen level; the JDK's header has no name and mtime 0, so it is the same on every run. */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, 1 << 16);
            def.setLevel(level);
        }
    }
}
