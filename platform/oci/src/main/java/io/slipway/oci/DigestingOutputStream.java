package io.slipway.oci;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Hashes and counts what passes through, so content is digested while it is written (one pass). */
public final class DigestingOutputStream extends FilterOutputStream {

    private final MessageDigest md = Digest.newSha256();
    private long size;

    public DigestingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        md.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        md.update(b, off, len);
        size += len;
    }

    /** The digest of everything written; call once, after the last write. */
    public Digest digest() {
        return Digest.fromHash(md.digest());
    }

    public long size() {
        return size;
    }
}
