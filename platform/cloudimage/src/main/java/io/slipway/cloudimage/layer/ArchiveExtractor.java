package io.slipway.cloudimage.layer;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Unpacks a tar archive that ADD brings in (plain, gzip, bzip2 or xz), checking every entry before anything of it is
 * written: no absolute names, no '..' above the archive's root, links only to places inside it, only files,
 * directories and links, and no more entries or bytes than {@link Limits} allow (a compressed archive can unpack to a
 * thousand times its size). A refused entry fails the whole ADD with its name. Once everything is written, every
 * symbolic link is resolved as the kernel would, through the links it passes, and must stay inside: a chain such as
 * {@code a/b -> ..} then {@code a/b/c -> ..} passes each entry's own check but leads out.
 */
public final class ArchiveExtractor {

    /** The most an archive may unpack to: bytes of file content (hard-link copies included) and entries. */
    public record Limits(long maxBytes, long maxEntries) {
        /** 16 GiB and a million entries: far beyond a cluster image's context, far below a full disk. */
        public static final Limits DEFAULT = new Limits(16L << 30, 1_000_000);

        public Limits {
            if (maxBytes <= 0 || maxEntries <= 0) {
                throw new IllegalArgumentException("archive limits must be positive: " + maxBytes + " bytes, " + maxEntries + " entries");
            }
        }
    }

    private ArchiveExtractor() {
    }

    /** Whether ADD should unpack this local file: it is a tar archive, compressed or not. */
    public static boolean isArchive(Path file) throws IOException {
        return TarInput.isTar(file);
    }

    /** Unpacks {@code archive} into the (new or empty) directory {@code target} within the default {@link Limits}. */
    public static void extract(Path archive, Path target, String name) throws IOException {
        extract(archive, target, name, Limits.DEFAULT);
    }

    /** Unpacks {@code archive} into the (new or empty) directory {@code target}; {@code name} is used in messages. */
    public static void extract(Path archive, Path target, String name, Limits limits) throws IOException {
        TreeWriter writer = new TreeWriter(target);
        long entries = 0;
        long bytes = 0;
        try (InputStream raw = Files.newInputStream(archive); TarArchiveInputStream tar = TarInput.open(raw)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (++entries > limits.maxEntries()) {
                    throw new ContextException("archive " + name + " holds more than " + limits.maxEntries()
                            + " entries, the most an archive may unpack to");
                }
                String rel = checkedName(name, entry.getName());
                if (rel.isEmpty()) {
                    continue;
                }
                if (entry.isSymbolicLink()) {
                    checkLink(name, rel, entry.getLinkName());
                } else if (entry.isLink()) {
                    Path source = writer.linkedFile(rel, checkedName(name, entry.getLinkName()));
                    bytes = charge(name, rel, bytes, Files.size(source), limits);
                    writer.writeCopy(rel, source);
                    continue;
                } else if (!entry.isDirectory() && !TreeWriter.isRegularFile(entry)) {
                    throw new ContextException("archive " + name + ": entry " + entry.getName()
                            + " is a device, FIFO or other special file; only files, directories and links are accepted");
                } else if (!entry.isDirectory()) {
                    // the header declares the size, and the tar reader reads exactly that much: refused before a byte is written
                    bytes = charge(name, rel, bytes, Math.max(entry.getSize(), entry.getRealSize()), limits);
                }
                writer.write(rel, entry, tar);
            }
            checkLinksStayInside(name, writer.root());
        } catch (ContextException e) {
            throw e;
        } catch (IOException e) {
            throw new ContextException("archive " + name + " cannot be read: " + e.getMessage());
        }
    }

    private static long charge(String archive, String rel, long sofar, long size, Limits limits) {
        if (size > limits.maxBytes() - sofar) {
            throw new ContextException("archive " + archive + " unpacks to more than " + limits.maxBytes()
                    + " bytes (the limit) at entry " + rel + "; a compressed archive is counted by what it unpacks to");
        }
        return sofar + size;
    }

    /** Every symbolic link under {@code root}, followed as the kernel follows it, must end inside {@code root}. */
    private static void checkLinksStayInside(String archive, Path root) throws IOException {
        java.util.List<Path> links;
        try (var walk = Files.walk(root)) {
            links = walk.filter(Files::isSymbolicLink).toList();
        }
        for (Path link : links) {
            Path end;
            try {
                end = followed(link);
            } catch (java.nio.file.FileSystemException e) {
                throw new ContextException("archive " + archive + ": symbolic link " + root.relativize(link) + " -> "
                        + Files.readSymbolicLink(link) + " cannot be followed (a loop)");
            }
            if (!end.startsWith(root)) {
                throw new ContextException("archive " + archive + ": symbolic link " + root.relativize(link) + " -> "
                        + Files.readSymbolicLink(link) + " leads outside the archive through the links on its way");
            }
        }
    }

    /**
     * Where the kernel takes {@code link}: each part of its target in turn, through the real path of what exists (so
     * through other links); parts that do not exist yet are taken as written.
     */
    static Path followed(Path link) throws IOException {
        Path target = Files.readSymbolicLink(link);
        Path at = target.isAbsolute() ? target.getRoot() : link.getParent().toRealPath();
        for (Path part : target) {
            String p = part.toString();
            if (p.equals("..")) {
                at = at.getParent() == null ? at : at.getParent();
            } else if (!p.equals(".")) {
                at = at.resolve(p);
                if (Files.exists(at)) {
                    at = at.toRealPath();
                }
            }
        }
        return at;
    }

    private static String checkedName(String archive, String entryName) {
        refuseNul(archive, entryName);
        String n = entryName.startsWith("./") ? entryName.substring(2) : entryName;
        if (n.startsWith("/")) {
            throw new ContextException("archive " + archive + ": entry " + entryName + " has an absolute path");
        }
        Optional<String> rel = ImagePath.normalize(n);
        if (rel.isEmpty()) {
            throw new ContextException("archive " + archive + ": entry " + entryName + " climbs out of the archive with '..'");
        }
        return rel.get();
    }

    /** No file system takes a NUL in a name; a header that holds one is damaged or crafted (found by ArchiveFuzzTest). */
    private static void refuseNul(String archive, String name) {
        if (name.indexOf('\0') >= 0) {
            throw new ContextException("archive " + archive + ": entry " + name.replace("\0", "\\0") + " has a NUL character in its name");
        }
    }

    private static void checkLink(String archive, String rel, String target) {
        refuseNul(archive, target);
        if (target.startsWith("/")) {
            throw new ContextException("archive " + archive + ": symbolic link " + rel + " -> " + target
                    + " points to an absolute path");
        }
        int slash = rel.lastIndexOf('/');
        String joined = (slash < 0 ? "" : rel.substring(0, slash + 1)) + target;
        if (ImagePath.normalize(joined).isEmpty()) {
            throw new ContextException("archive " + archive + ": symbolic link " + rel + " -> " + target
                    + " points outside the archive");
        }
    }
}
