package io.slipway.oci;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes small files so a reader sees the old content or the new one, never half of either (temp file, then a move). */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target}, staging them in {@code stagingDir} (on the same file system). */
    public static void write(Path target, byte[] bytes, Path stagingDir) throws IOException {
        Path part = Files.createTempFile(stagingDir, ".write-", ".part");
        try {
            Files.write(part, bytes);
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(part);
        }
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, target.getParent());
    }
}
