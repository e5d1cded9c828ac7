package io.slipway.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/** Digests of files and streams, read once with a large buffer. */
public final class Digests {

    public static final int BUFFER = 1 << 20;

    private Digests() {
    }

    public static Digest sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    public static Digest sha256(InputStream in) throws IOException {
        MessageDigest md = Digest.newSha256();
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) > 0; ) {
            md.update(buffer, 0, n);
        }
        return Digest.fromHash(md.digest());
    }
}
