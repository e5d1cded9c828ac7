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
 * directories and links. A refused entry fails the whole ADD with its name.
 */
public final class ArchiveExtractor {

    private ArchiveExtractor() {
    }

    /** Whether ADD should unpack this local file: it is a tar archive, compressed or not. */
    public static boolean isArchive(Path file) throws IOException {
        return TarInput.isTar(file);
    }

    /** Unpacks {@code archive} into the (new or empty) directory {@code target}; {@code name} is used in messages. */
    public static void extract(Path archive, Path target, String name) throws IOException {
        TreeWriter writer = new TreeWriter(target);
        try (InputStream raw = Files.newInputStream(archive); TarArchiveInputStream tar = TarInput.open(raw)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String rel = checkedName(name, entry.getName());
                if (rel.isEmpty()) {
                    continue;
                }
                if (entry.isSymbolicLink()) {
                    checkLink(name, rel, entry.getLinkName());
                } else if (entry.isLink()) {
                    String linkTarget = checkedName(name, entry.getLinkName());
                    writer.writeHardLink(rel, linkTarget);
                    continue;
                } else if (!entry.isDirectory() && !TreeWriter.isRegularFile(entry)) {
                    throw new ContextException("archive " + name + ": entry " + entry.getName()
                            + " is a device, FIFO or other special file; only files, directories and links are accepted");
                }
                writer.write(rel, entry, tar);
            }
        } catch (ContextException e) {
            throw e;
        } catch (IOException e) {
            throw new ContextException("archive " + name + " cannot be read: " + e.getMessage());
        }
    }

    private static String checkedName(String archive, String entryName) {
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

    private static void checkLink(String archive, String rel, String target) {
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
