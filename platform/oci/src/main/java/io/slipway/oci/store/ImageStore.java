package io.slipway.oci.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.AtomicFiles;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import io.slipway.oci.Digests;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A local image store that is an OCI image-layout directory ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/...}), so any OCI tool can read it. Blobs are content-addressed and written
 * atomically (temp file in the same directory tree, then a move), so a crash never leaves a blob whose
 * bytes do not match its name. Names live in index.json as {@code org.opencontainers.image.ref.name}.
 */
public final class ImageStore {

    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final Path indexFile;
    private final Path indexLock;
    /**
     * One monitor per lock file in this JVM: a file lock is held per process, and a second channel of the same process
     * asking for it fails instead of waiting.
     */
    private static final ConcurrentHashMap<Path, Object> PROCESS_LOCKS = new ConcurrentHashMap<>();

    private ImageStore(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.tmp = root.resolve("tmp");
        this.indexFile = root.resolve("index.json");
        this.indexLock = root.resolve("index.lock");
    }

    public static ImageStore open(Path dir) {
        ImageStore store = new ImageStore(dir.toAbsolutePath());
        try {
            Files.createDirectories(store.blobs);
            Files.createDirectories(store.tmp);
            Path layout = dir.resolve("oci-layout");
            if (!Files.exists(layout)) {
                store.writeAtomically(layout, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
            }
            if (!Files.exists(store.indexFile)) {
                store.changingNames(() -> {
                    if (!Files.exists(store.indexFile)) {
                        store.writeIndex(new TreeMap<>());
                    }
                    return null;
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open image store " + dir + ": " + e.getMessage(), e);
        }
        return store;
    }

    public Path root() {
        return root;
    }

    // ---- blobs

    public boolean hasBlob(Digest digest) {
        return Files.exists(blobPath(digest));
    }

    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    public InputStream openBlob(Digest digest) throws IOException {
        try {
            return Files.newInputStream(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("blob " + digest + " is not in the image store");
        }
    }

    public byte[] readBlob(Digest digest) throws IOException {
        try {
            return Files.readAllBytes(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("blob " + digest + " is not in the image store");
        }
    }

    public long blobSize(Digest digest) throws IOException {
        return Files.size(blobPath(digest));
    }

    /** A new empty temp file on the blobs' file system, so a finished blob can be moved in atomically. */
    public Path newTempFile() throws IOException {
        return Files.createTempFile(tmp, "blob-", ".part");
    }

    public Descriptor putBlob(String mediaType, InputStream content) throws IOException {
        Path part = newTempFile();
        try {
            DigestingOutputStream out;
            try (OutputStream file = Files.newOutputStream(part)) {
                out = new DigestingOutputStream(file);
                content.transferTo(out);
            }
            return putBlob(mediaType, part, out.digest(), out.size());
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Adds a file's content (copied; the file is left alone). */
    public Descriptor putBlob(String mediaType, Path file) throws IOException {
        Digest digest = Digests.sha256(file);
        if (hasBlob(digest)) {
            return new Descriptor(mediaType, digest, Files.size(file));
        }
        Path part = newTempFile();
        try {
            Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
            return putBlob(mediaType, part, digest, Files.size(part));
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Moves a temp file whose digest the caller computed while writing it into the store, without
     * reading it again. The file must come from {@link #newTempFile()} (same file system).
     */
    public Descriptor putBlob(String mediaType, Path tempFile, Digest knownDigest, long size) throws IOException {
        Path target = blobPath(knownDigest);
        if (!Files.exists(target)) {
            try {
                Files.move(tempFile, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                Files.deleteIfExists(tempFile);
            }
        } else {
            Files.deleteIfExists(tempFile);
        }
        return new Descriptor(mediaType, knownDigest, size);
    }

    public Descriptor putJson(String mediaType, Object document) throws IOException {
        return putBytes(mediaType, Json.canonical(document));
    }

    public Descriptor putBytes(String mediaType, byte[] bytes) throws IOException {
        Digest digest = Digest.of(bytes);
        if (!hasBlob(digest)) {
            writeAtomically(blobPath(digest), bytes);
        }
        return new Descriptor(mediaType, digest, bytes.length);
    }

    public ImageManifest manifest(Digest digest) throws IOException {
        return Json.read(readBlob(digest), ImageManifest.class);
    }

    public ImageIndex index(Digest digest) throws IOException {
        return Json.read(readBlob(digest), ImageIndex.class);
    }

    public ImageConfig config(Digest digest) throws IOException {
        return Json.read(readBlob(digest), ImageConfig.class);
    }

    // ---- names

    public synchronized void tag(String name, Descriptor target) throws IOException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an image name must not be empty");
        }
        if (!hasBlob(target.digest())) {
            throw new IllegalArgumentException("cannot tag " + name + ": " + target.digest() + " is not in the image store");
        }
        Map<String, String> annotations = new TreeMap<>(target.annotations());
        annotations.put(REF_NAME, name);
        changingNames(() -> {
            Map<String, Descriptor> names = readIndex();
            names.put(name, target.withAnnotations(annotations));
            writeIndex(names);
            return null;
        });
    }

    public synchronized Optional<Descriptor> resolve(String name) throws IOException {
        return Optional.ofNullable(readIndex().get(name)).map(ImageStore::withoutRefName);
    }

    public synchronized List<StoredImage> images() throws IOException {
        List<StoredImage> images = new ArrayList<>();
        readIndex().forEach((name, d) -> images.add(new StoredImage(name, withoutRefName(d))));
        return images;
    }

    public synchronized boolean untag(String name) throws IOException {
        return changingNames(() -> {
            Map<String, Descriptor> names = readIndex();
            if (names.remove(name) == null) {
                return false;
            }
            writeIndex(names);
            return true;
        });
    }

    /**
     * Changes the names (a read, change and write of index.json) under a file lock as well as this store's monitor:
     * another process may share the store (a second instance of a service on one volume), and without the lock one of
     * two concurrent changes would be lost.
     */
    private <T> T changingNames(NamesChange<T> change) throws IOException {
        synchronized (PROCESS_LOCKS.computeIfAbsent(indexLock, p -> new Object())) {
            try (FileChannel channel = FileChannel.open(indexLock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                return change.run();
            }
        }
    }

    @FunctionalInterface
    private interface NamesChange<T> {
        T run() throws IOException;
    }

    /** Every blob reachable from {@code root} (an index or manifest): itself, manifests, configs, layers. */
    public Set<Digest> reachableFrom(Descriptor root) throws IOException {
        Set<Digest> seen = new HashSet<>();
        Deque<Descriptor> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Descriptor d = todo.pop();
            if (!seen.add(d.digest()) || !hasBlob(d.digest())) {
                continue;
            }
            if (MediaTypes.isIndex(d.mediaType())) {
                todo.addAll(index(d.digest()).manifests());
            } else if (MediaTypes.isManifest(d.mediaType())) {
                ImageManifest m = manifest(d.digest());
                todo.add(m.config());
                todo.addAll(m.layers());
            }
        }
        return seen;
    }

    /** Deletes blobs no name reaches, except {@code keep} (e.g. a build cache's layers). */
    public synchronized GcResult gc(Set<Digest> keep) throws IOException {
        return changingNames(() -> collect(keep));
    }

    private GcResult collect(Set<Digest> keep) throws IOException {
        Set<Digest> live = new HashSet<>(keep);
        for (StoredImage image : images()) {
            live.addAll(reachableFrom(image.descriptor()));
        }
        int removed = 0;
        long freed = 0;
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path blob : files.toList()) {
                Digest digest = new Digest("sha256", blob.getFileName().toString());
                if (!live.contains(digest)) {
                    freed += Files.size(blob);
                    Files.delete(blob);
                    removed++;
                }
            }
        }
        return new GcResult(removed, freed);
    }

    private static Descriptor withoutRefName(Descriptor d) {
        Map<String, String> annotations = new TreeMap<>(d.annotations());
        annotations.remove(REF_NAME);
        return d.withAnnotations(annotations);
    }

    private Map<String, Descriptor> readIndex() throws IOException {
        ImageIndex index = Json.read(Files.readAllBytes(indexFile), ImageIndex.class);
        Map<String, Descriptor> names = new TreeMap<>();
        for (Descriptor d : index.manifests()) {
            String name = d.annotations().get(REF_NAME);
            if (name != null) {
                names.put(name, d);
            }
        }
        return names;
    }

    private void writeIndex(Map<String, Descriptor> names) throws IOException {
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        names.values().forEach(d -> manifests.add(Json.mapper().valueToTree(d)));
        writeAtomically(indexFile, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes, tmp);
    }
}
