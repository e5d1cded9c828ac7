package io.slipway.oci.archive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.store.StoredImage;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code save} / {@code load}: images as an OCI archive, a tar of an OCI image layout ({@code oci-layout},
 * {@code index.json} naming each image with {@code org.opencontainers.image.ref.name}, {@code blobs/sha256/...}), which
 * skopeo ({@code oci-archive:}), podman and containerd read. Saving is reproducible: entries sorted, fixed owners and
 * times. Loading verifies every blob against its name before it enters the store and ignores entries that are not
 * part of the layout, so an archive cannot write anywhere else.
 */
public final class OciArchive {

    private static final Pattern BLOB = Pattern.compile("blobs/sha256/([a-f0-9]{64})");
    private static final Date EPOCH = new Date(0);

    private OciArchive() {
    }

    /** Writes the named images (with every blob they reach, each once) into {@code target} (replaced atomically). */
    public static void save(ImageStore store, List<String> names, Path target) throws IOException {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("name at least one image to save");
        }
        Map<String, Descriptor> roots = new TreeMap<>();
        Set<Digest> blobs = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        for (String name : names) {
            Descriptor root = store.resolve(name).orElseThrow(() ->
                    new IllegalArgumentException("no image named '" + name + "' in the image store " + store.root()));
            roots.put(name, root);
            for (Digest d : store.reachableFrom(root)) {
                if (!store.hasBlob(d)) {
                    throw new IOException("cannot save " + name + ": blob " + d + " is not in the image store "
                            + "(pulled for some platforms only?)");
                }
                blobs.add(d);
            }
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path part = Files.createTempFile(parent, "." + target.getFileName(), ".part");
        try {
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(part), 1 << 20);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                writeBytes(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                writeBytes(tar, "index.json", indexJson(roots));
                writeDirectory(tar, "blobs/");
                writeDirectory(tar, "blobs/sha256/");
                for (Digest d : blobs) {
                    TarArchiveEntry entry = entry("blobs/sha256/" + d.hex());
                    entry.setSize(store.blobSize(d));
                    tar.putArchiveEntry(entry);
                    try (InputStream in = store.openBlob(d)) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Reads an OCI archive into the store and names its images as its index.json does (an entry without a name is
     * named by its digest). Returns the images loaded.
     */
    public static List<StoredImage> load(Path archive, ImageStore store) throws IOException {
        return load(archive, store, store::tag);
    }

    /** How a loaded image gets its name in the store: {@link ImageStore#tag}, or that recorded around by the caller. */
    @FunctionalInterface
    public interface Naming {
        void name(String name, Descriptor root) throws IOException;
    }

    /** {@link #load(Path, ImageStore)}, each image named by {@code naming} once all its blobs are in the store. */
    public static List<StoredImage> load(Path archive, ImageStore store, Naming naming) throws IOException {
        byte[] index = null;
        boolean layout = false;
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 20);
             TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                Matcher blob = BLOB.matcher(name);
                if (name.equals("index.json")) {
                    index = tar.readNBytes(16 << 20);
                } else if (name.equals("oci-layout")) {
                    layout = true;
                } else if (blob.matches()) {
                    Digest expected = new Digest("sha256", blob.group(1));
                    if (!store.hasBlob(expected)) {
                        receiveBlob(tar, expected, store, archive, name);
                    }
                }
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(archive.toString())) {
                throw e;
            }
            throw new IOException(archive + ": not a readable tar archive (" + e.getMessage() + ")", e);
        }
        if (!layout || index == null) {
            throw new IOException(archive + " is not an OCI archive: it lacks " + (layout ? "index.json" : "oci-layout"));
        }
        ImageIndex names = Json.read(index, ImageIndex.class);
        List<StoredImage> loaded = new ArrayList<>();
        for (Descriptor d : names.manifests()) {
            for (Digest needed : store.reachableFrom(d)) {
                if (!store.hasBlob(needed)) {
                    throw new IOException(archive + ": blob " + needed + " of " + refName(d) + " is missing from the archive");
                }
            }
            Map<String, String> annotations = new TreeMap<>(d.annotations());
            String name = annotations.remove(ImageStore.REF_NAME);
            if (name == null || name.isBlank()) {
                name = d.digest().toString();
            }
            Descriptor root = d.withAnnotations(annotations);
            naming.name(name, root);
            loaded.add(new StoredImage(name, root));
        }
        return loaded;
    }

    private static void receiveBlob(InputStream tar, Digest expected, ImageStore store, Path archive, String entry) throws IOException {
        Path part = store.newTempFile();
        try {
            DigestingOutputStream out;
            try (OutputStream f = Files.newOutputStream(part)) {
                out = new DigestingOutputStream(f);
                tar.transferTo(out);
            }
            Digest actual = out.digest();
            if (!actual.equals(expected)) {
                throw new IOException(archive + ": entry " + entry + " has content with digest " + actual + " (corrupt archive)");
            }
            store.putBlob(MediaTypes.OCI_LAYER_TAR, part, actual, out.size());
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static String refName(Descriptor d) {
        return d.annotations().getOrDefault(ImageStore.REF_NAME, d.digest().toString());
    }

    private static byte[] indexJson(Map<String, Descriptor> roots) throws IOException {
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Map.Entry<String, Descriptor> e : roots.entrySet()) {
            Map<String, String> annotations = new TreeMap<>(e.getValue().annotations());
            annotations.put(ImageStore.REF_NAME, e.getKey());
            manifests.add(Json.mapper().valueToTree(e.getValue().withAnnotations(annotations)));
        }
        return Json.mapper().writeValueAsBytes(index);
    }

    private static TarArchiveEntry entry(String name) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setModTime(EPOCH);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        entry.setMode(name.endsWith("/") ? 040755 : 0100644);
        return entry;
    }

    private static void writeBytes(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = entry(name);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void writeDirectory(TarArchiveOutputStream tar, String name) throws IOException {
        tar.putArchiveEntry(entry(name));
        tar.closeArchiveEntry();
    }
}
