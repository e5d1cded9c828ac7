package io.slipway.cli.image;

import io.slipway.cli.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs a build context directory into a tar for upload. A Kubefile outside the context travels inside the archive
 * under {@link #OUTSIDE_KUBEFILE}, as docker does for {@code -f} outside the context.
 */
final class ContextArchive {
    static final String OUTSIDE_KUBEFILE = ".slipway/Kubefile";

    private ContextArchive() {
    }

    /** Writes the tar and answers the Kubefile's path inside it. */
    static String write(Path context, Path kubefile, Path tar) throws IOException {
        Path root = context.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new UserError("build context " + context + " is not a directory");
        }
        Path kf = kubefile.toAbsolutePath().normalize();
        if (!Files.isRegularFile(kf)) {
            throw new UserError("Kubefile " + kubefile + " does not exist");
        }
        String kubefileInArchive = kf.startsWith(root) ? root.relativize(kf).toString() : OUTSIDE_KUBEFILE;
        try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream archive = new TarArchiveOutputStream(out, 1 << 16)) {
            archive.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            archive.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(root)) {
                paths = walk.filter(p -> !p.equals(root)).sorted().toList();
            }
            for (Path p : paths) {
                String name = root.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(p).toString());
                    archive.putArchiveEntry(entry);
                    archive.closeArchiveEntry();
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), name + "/");
                    entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | permissions(p));
                    archive.putArchiveEntry(entry);
                    archive.closeArchiveEntry();
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), name);
                    // the file's own permissions: the File constructor writes 0644 for every file, and a binary
                    // the image runs (etcd, say) arrived without its execute bit
                    entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | permissions(p));
                    archive.putArchiveEntry(entry);
                    Files.copy(p, archive);
                    archive.closeArchiveEntry();
                }
            }
            if (kubefileInArchive.equals(OUTSIDE_KUBEFILE)) {
                TarArchiveEntry entry = new TarArchiveEntry(OUTSIDE_KUBEFILE);
                entry.setSize(Files.size(kf));
                archive.putArchiveEntry(entry);
                Files.copy(kf, archive);
                archive.closeArchiveEntry();
            }
        }
        return kubefileInArchive;
    }

    /** The rwx bits of {@code p}; 0644 (files) or 0755 (directories) where the file system has no POSIX permissions. */
    static int permissions(Path p) throws IOException {
        try {
            int mode = 0;
            for (java.nio.file.attribute.PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
                mode |= 0400 >> perm.ordinal();
            }
            return mode;
        } catch (UnsupportedOperationException e) {
            return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? 0755 : 0644;
        }
    }
}
