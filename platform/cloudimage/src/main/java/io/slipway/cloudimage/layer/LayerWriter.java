package io.slipway.cloudimage.layer;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import io.slipway.oci.store.ImageStore;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a reproducible layer straight into the image store: the tar goes to a temp file of the store while its
 * digest (and, compressed, the diff id) is computed on the way, then the file is moved to its content address. File
 * content is read once with a large buffer; the same buffer feeds the tar, its digest and, when asked, the file's own
 * content digest (for the build cache), so nothing is read or hashed twice.
 */
public final class LayerWriter implements Closeable {

    static final int BUFFER = 1 << 20;

    private final ImageStore store;
    private final Compression compression;
    private final Path temp;
    private final OutputStream file;
    private final DigestingOutputStream blob;
    private final DigestingOutputStream tarDigest;
    private final OutputStream top;
    private final TarStream tar;
    private final byte[] buffer = new byte[BUFFER];
    private boolean done;

    private LayerWriter(ImageStore store, Compression compression) throws IOException {
        this.store = store;
        this.compression = compression;
        this.temp = store.newTempFile();
        this.file = Files.newOutputStream(temp);
        this.blob = new DigestingOutputStream(new BlockingBuffer(file));
        if (compression == Compression.GZIP) {
            this.tarDigest = new DigestingOutputStream(new FixedGzip(blob));
        } else {
            this.tarDigest = blob;
        }
        this.top = tarDigest;
        this.tar = new TarStream(top);
    }

    public static LayerWriter open(ImageStore store, Compression compression) throws IOException {
        return new LayerWriter(store, compression);
    }

    /**
     * A reproducible layer holding everything under {@code dir} at {@code destination} in the image (e.g. a registry
     * storage directory at {@code registry}); symbolic links are kept as they are.
     */
    public static Layer writeDirectory(ImageStore store, Compression compression, Path dir, String destination)
            throws IOException {
        LayerPlan plan = new LayerPlan();
        if (!destination.isEmpty()) {
            plan.directory(destination);
        }
        BuildContext.addTree(plan, dir, destination, (link, target) -> { });
        try (LayerWriter writer = open(store, compression)) {
            return writer.write(plan);
        }
    }

    /** Writes every entry of {@code plan} (archives must have been expanded); fills in missing content digests. */
    public Layer write(LayerPlan plan) throws IOException {
        if (!plan.archives().isEmpty()) {
            throw new IllegalStateException("archives of the plan must be unpacked before it is written");
        }
        for (Map.Entry<String, LayerPlan.Entry> e : plan.entries().entrySet()) {
            String path = e.getKey();
            switch (e.getValue()) {
                case LayerPlan.Directory d -> directory(path);
                case LayerPlan.RegularFile f -> {
                    MessageDigest md = f.digest() == null ? Digest.newSha256() : null;
                    file(path, f.source(), f.stat().size(), f.stat().executable(), md);
                    if (md != null) {
                        f.digest(Digest.fromHash(md.digest()));
                    }
                }
                case LayerPlan.Symlink s -> symlink(path, s.target());
                case LayerPlan.Whiteout w -> whiteoutMarker(path);
            }
        }
        return commit();
    }

    public void directory(String path) throws IOException {
        tar.directory(path);
    }

    /**
     * Writes a regular file of {@code size} bytes read from {@code source}; with {@code contentDigest} the bytes are
     * also hashed into it. A file whose size changed since it was planned fails the layer rather than corrupt it.
     */
    public void file(String path, Path source, long size, boolean executable, MessageDigest contentDigest) throws IOException {
        tar.fileHeader(path, size, executable);
        long remaining = size;
        try (InputStream in = Files.newInputStream(source)) {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new IOException(source + " shrank while it was being added to the layer");
                }
                if (contentDigest != null) {
                    contentDigest.update(buffer, 0, n);
                }
                tar.content(buffer, 0, n);
                remaining -= n;
            }
            if (in.read() >= 0) {
                throw new IOException(source + " grew while it was being added to the layer");
            }
        } catch (FileNotFoundException e) {
            throw new IOException(source + " disappeared while the layer was being written", e);
        }
        tar.pad(size);
    }

    public void symlink(String path, String target) throws IOException {
        tar.symlink(path, target);
    }

    /** Writes a whiteout marker already named {@code dir/.wh.name} or {@code dir/.wh..wh..opq}. */
    public void whiteoutMarker(String markerPath) throws IOException {
        tar.fileHeader(markerPath, 0, false);
    }

    /** Ends the tar and moves the blob into the store under its digest. */
    public Layer commit() throws IOException {
        tar.finish();
        top.close();
        done = true;
        Digest diffId = tarDigest.digest();
        Digest digest = compression == Compression.GZIP ? blob.digest() : diffId;
        Descriptor d = store.putBlob(compression.mediaType(), temp, digest, blob.size());
        return new Layer(d, diffId);
    }

    /** Discards an unfinished layer (a failed step). */
    @Override
    public void close() throws IOException {
        if (!done) {
            done = true;
            try {
                file.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** gzip with a fixed header (no name, mtime 0) and a fixed level, so its bytes depend only on the input and zlib. */
    private static final class FixedGzip extends GZIPOutputStream {
        FixedGzip(OutputStream out) throws IOException {
            super(out, BUFFER);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /**
     * A buffer for the many small header writes; large content writes pass straight through (the caller's buffer
     * is already large), saving a copy.
     */
    private static final class BlockingBuffer extends OutputStream {
        private final OutputStream out;
        private final byte[] buf = new byte[BUFFER];
        private int count;

        BlockingBuffer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buf.length) {
                flushBuffer();
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len >= buf.length / 4) {
                flushBuffer();
                out.write(b, off, len);
                return;
            }
            if (len > buf.length - count) {
                flushBuffer();
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void flushBuffer() throws IOException {
            if (count > 0) {
                out.write(buf, 0, count);
                count = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            flushBuffer();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
            out.close();
        }
    }
}
