package io.slipway.cloudimage.build;

import io.slipway.oci.Descriptor;
import io.slipway.oci.store.ImageStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Writing test contexts and reading layers back. */
final class ContextFiles {

    private ContextFiles() {
    }

    static Path write(Path root, String rel, String content) {
        try {
            Path p = root.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path executable(Path root, String rel, String content) throws IOException {
        Path p = write(root, rel, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
        return p;
    }

    /** A layer's entries in order, name to content (directories and links map to a description). */
    static Map<String, String> entries(ImageStore store, Descriptor layer) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream raw = store.openBlob(layer.digest());
             InputStream in = layer.mediaType().endsWith("gzip") ? new GZIPInputStream(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                String value;
                if (e.isDirectory()) {
                    value = "dir " + Integer.toOctalString(e.getMode());
                } else if (e.isSymbolicLink()) {
                    value = "-> " + e.getLinkName();
                } else {
                    value = Integer.toOctalString(e.getMode()) + " " + new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (e.getModTime().getTime() != 0 || e.getLongUserId() != 0 || e.getLongGroupId() != 0
                        || !e.getUserName().isEmpty() || !e.getGroupName().isEmpty()) {
                    throw new AssertionError("entry " + e.getName() + " is not normalized: mtime " + e.getModTime()
                            + " uid " + e.getLongUserId() + " gid " + e.getLongGroupId() + " user " + e.getUserName());
                }
                entries.put(e.getName(), value);
            }
        }
        return entries;
    }
}
