package io.slipway.build.context;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar or tar.gz without letting it write outside the target: absolute names, {@code ..} and links that
 * point out are refused with the entry's name, before anything of that entry is written.
 */
final class SafeTar {
    private SafeTar() {
    }

    static void checkReadable(InputStream raw) throws IOException {
        try (TarArchiveInputStream tar = open(raw)) {
            if (tar.getNextEntry() == null) {
                throw new ContextException("the context archive is empty or not a tar/tar.gz archive");
            }
        } catch (IOException e) {
            if (e instanceof ContextException) {
                throw e;
            }
            throw new ContextException("the context is not a readable tar or tar.gz archive: " + e.getMessage());
        }
    }

    static int extract(InputStream raw, Path target, String archiveName) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        int count = 0;
        try (TarArchiveInputStream tar = open(raw)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path path = inside(root, entry.getName(), archiveName);
                count++;
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Path link = path.getParent().resolve(entry.getLinkName()).normalize();
                    if (entry.getLinkName().startsWith("/") || !link.startsWith(root)) {
                        throw new ContextException(archiveName + ": entry '" + entry.getName() + "' links outside the context ("
                                + entry.getLinkName() + ")");
                    }
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, path.getParent().relativize(link));
                } else if (entry.isLink()) {
                    Path source = inside(root, entry.getLinkName(), archiveName);
                    Files.createDirectories(path.getParent());
                    Files.createLink(path, source);
                } else if (entry.isFile()) {
                    Files.createDirectories(path.getParent());
                    if (Files.isSymbolicLink(path.getParent()) || !path.getParent().toRealPath().startsWith(root.toRealPath())) {
                        throw new ContextException(archiveName + ": entry '" + entry.getName() + "' would be written through a link");
                    }
                    Files.copy(tar, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0111) != 0) {
                        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
                        perms.add(PosixFilePermission.OWNER_EXECUTE);
                        perms.add(PosixFilePermission.GROUP_EXECUTE);
                        perms.add(PosixFilePermission.OTHERS_EXECUTE);
                        Files.setPosixFilePermissions(path, perms);
                    }
                } else {
                    throw new ContextException(archiveName + ": entry '" + entry.getName() + "' is a device or fifo, not allowed in a context");
                }
            }
        }
        return count;
    }

    private static Path inside(Path root, String name, String archiveName) throws ContextException {
        if (name.startsWith("/") || name.contains("\0")) {
            throw new ContextException(archiveName + ": entry '" + name + "' has an absolute path");
        }
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new ContextException(archiveName + ": entry '" + name + "' points outside the context");
        }
        return path;
    }

    private static TarArchiveInputStream open(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        InputStream body = (b1 == 0x1f && b2 == 0x8b) ? new GZIPInputStream(in, 1 << 16) : in;
        return new TarArchiveInputStream(body);
    }
}
