package io.slipway.cloudimage.cache;

import io.slipway.oci.AtomicFiles;
import io.slipway.cloudimage.layer.Layer;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.Json;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The build cache beside an image store ({@code <store>/build-cache/}): which layer a step key produced, which step
 * shapes were seen (to decide whether hashing inputs ahead of writing can pay off), and the {@link StatIndex}.
 * Layers themselves are ordinary blobs of the store; an entry whose blob was garbage-collected is a miss.
 */
public final class BuildCache {

    /** What the cache remembers of a layer: enough to reuse it without reading it. */
    record Entry(String mediaType, String digest, long size, String diffId) {
    }

    private final ImageStore store;
    private final Path dir;
    private final Path entries;
    private final Path shapes;
    private final StatIndex statIndex;

    private BuildCache(ImageStore store, Path dir) throws IOException {
        this.store = store;
        this.dir = dir;
        this.entries = Files.createDirectories(dir.resolve("entries"));
        this.shapes = Files.createDirectories(dir.resolve("shapes"));
        Files.createDirectories(dir.resolve("work"));
        this.statIndex = StatIndex.load(dir.resolve("stat-index"));
    }

    public static BuildCache open(ImageStore store) {
        try {
            return new BuildCache(store, store.root().resolve("build-cache"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the build cache of " + store.root() + ": " + e.getMessage(), e);
        }
    }

    public StatIndex statIndex() {
        return statIndex;
    }

    /** Scratch space on the store's file system for RUN root filesystems, downloads and unpacked archives. */
    public Path newWorkDir(String prefix) throws IOException {
        return Files.createTempDirectory(dir.resolve("work"), prefix);
    }

    /** The layer a step with this key produced before, if its blob is still in the store. */
    public Optional<Layer> lookup(Digest key) throws IOException {
        byte[] json;
        try {
            json = Files.readAllBytes(entries.resolve(key.hex()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Entry e;
        try {
            e = Json.read(json, Entry.class);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
        Digest digest = Digest.parse(e.digest());
        if (!store.hasBlob(digest)) {
            return Optional.empty();
        }
        return Optional.of(new Layer(new Descriptor(e.mediaType(), digest, e.size()), Digest.parse(e.diffId())));
    }

    public void record(Digest key, Layer layer) throws IOException {
        Descriptor d = layer.descriptor();
        writeAtomically(entries.resolve(key.hex()),
                Json.canonical(new Entry(d.mediaType(), d.digest().toString(), d.size(), layer.diffId().toString())));
    }

    public boolean knowsShape(Digest shape) {
        return Files.exists(shapes.resolve(shape.hex()));
    }

    public void recordShape(Digest shape) throws IOException {
        Path marker = shapes.resolve(shape.hex());
        if (!Files.exists(marker)) {
            writeAtomically(marker, new byte[0]);
        }
    }

    /** Blobs the cache refers to, for {@link ImageStore#gc(Set)} to keep (so a rebuild after rmi stays fast). */
    public Set<Digest> layerDigests() throws IOException {
        Set<Digest> digests = new HashSet<>();
        try (Stream<Path> files = Files.list(entries)) {
            for (Path f : files.toList()) {
                try {
                    digests.add(Digest.parse(Json.read(Files.readAllBytes(f), Entry.class).digest()));
                } catch (IllegalArgumentException | NoSuchFileException ignored) {
                    // a malformed or concurrently replaced entry keeps nothing alive; it is a miss on lookup too
                }
            }
        }
        return digests;
    }

    public void save() throws IOException {
        statIndex.save();
    }

    /** A key from its parts, each length-prefixed so that no two part lists give the same bytes. */
    public static Digest key(String... parts) {
        MessageDigest md = Digest.newSha256();
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            md.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            md.update(bytes);
        }
        return Digest.fromHash(md.digest());
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes);
    }
}
