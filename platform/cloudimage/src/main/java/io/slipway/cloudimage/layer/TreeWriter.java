package io.slipway.cloudimage.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes tar entries below a root directory without ever writing outside it: each entry's parent is resolved to its
 * real path and must still be inside the root, so a symbolic link planted by an earlier entry cannot redirect a later
 * one. Entry names are checked by the callers (they differ on what they accept).
 */
final class TreeWriter {

    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private final Path root;

    TreeWriter(Path root) throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
    }

    Path root() {
        return root;
    }

    /** Writes one entry at {@code rel} (normalized, relative); false for kinds a layer does not carry (devices, FIFOs). */
    boolean write(String rel, TarArchiveEntry entry, TarArchiveInputStream tar) throws IOException {
        Path target = inside(rel);
        if (entry.isDirectory()) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                deleteRecursively(target);
                Files.createDirectories(target);
            }
            Files.setPosixFilePermissions(target, permissions(entry.getMode() | 0700));
            return true;
        }
        if (entry.isSymbolicLink()) {
            deleteRecursively(target);
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            return true;
        }
        if (entry.isLink()) {
            throw new IllegalStateException("hard links are written with writeHardLink");
        }
        if (!isRegularFile(entry)) {
            return false;
        }
        deleteRecursively(target);
        Files.copy(tar, target);
        Files.setPosixFilePermissions(target, permissions(entry.getMode()));
        return true;
    }

    /**
     * A regular file by its type flag; commons-compress's {@code isFile()} also says yes to FIFOs and devices (and to
     * symbolic links), which must not be unpacked as files.
     */
    static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM
                || flag == TarArchiveEntry.LF_CONTIG;
    }

    /** A hard link entry: a copy of the (already written) file {@code targetRel}. */
    void writeHardLink(String rel, String targetRel) throws IOException {
        writeCopy(rel, linkedFile(rel, targetRel));
    }

    /** Writes at {@code rel} a copy of {@code real}, a file {@link #linkedFile} returned. */
    void writeCopy(String rel, Path real) throws IOException {
        Path target = inside(rel);
        deleteRecursively(target);
        Files.copy(real, target, StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** The real path of the file a hard link entry {@code rel} names: a regular file written before it, inside the root. */
    Path linkedFile(String rel, String targetRel) throws IOException {
        Path real;
        try {
            real = root.resolve(targetRel).toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            real = null;
        }
        if (real == null || !real.startsWith(root) || !Files.isRegularFile(real)) {
            throw new ContextException("hard link " + rel + " -> " + targetRel + " does not name a file written before it");
        }
        return real;
    }

    /** The absolute path for {@code rel}, after checking its parent really is inside the root (creating it if needed). */
    Path inside(String rel) throws IOException {
        Path target = root.resolve(rel);
        Path parent = target.getParent();
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(root)) {
            throw new ContextException(rel + " would be written through a symbolic link outside the target directory");
        }
        return target;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            p.toFile().setWritable(true);
            try (var children = Files.list(p)) {
                for (Path child : children.toList()) {
                    deleteRecursively(child);
                }
            }
        }
        Files.delete(p);
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(BITS[i]);
            }
        }
        return set;
    }
}
