package io.slipway.cloudimage.layer;

import io.slipway.oci.Digest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a layer will hold, decided before a byte is written: entries by path in tar order (a directory before its
 * content, siblings by name), each with what its bytes come from. Its {@link #fingerprint} is the content part of the
 * build-cache key; {@link LayerWriter#write} turns it into a blob.
 */
public final class LayerPlan {

    /** Tar order: byte order with '/' sorting before every other character, so "a/b" comes before "a-b". */
    public static final Comparator<String> TAR_ORDER = (x, y) -> {
        int n = Math.min(x.length(), y.length());
        for (int i = 0; i < n; i++) {
            char a = x.charAt(i);
            char b = y.charAt(i);
            if (a != b) {
                return Character.compare(a == '/' ? 0 : a, b == '/' ? 0 : b);
            }
        }
        return Integer.compare(x.length(), y.length());
    };

    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE = ".wh..wh..opq";

    /** An entry of the layer. */
    public sealed interface Entry permits Directory, RegularFile, Symlink, Whiteout {
    }

    public record Directory() implements Entry {
    }

    /** A file whose bytes are read from {@code source}; its digest is known from the stat index or computed on write. */
    public static final class RegularFile implements Entry {
        private final Path source;
        private final FileStat stat;
        private Digest digest;

        RegularFile(Path source, FileStat stat, Digest digest) {
            this.source = source;
            this.stat = stat;
            this.digest = digest;
        }

        public Path source() {
            return source;
        }

        public FileStat stat() {
            return stat;
        }

        /** The content digest, or null until known. */
        public Digest digest() {
            return digest;
        }

        public void digest(Digest known) {
            this.digest = known;
        }
    }

    public record Symlink(String target) implements Entry {
    }

    /** A deletion marker ({@code .wh.name}) or, named {@link #OPAQUE}, a directory emptied of lower layers' content. */
    public record Whiteout() implements Entry {
    }

    /** A local tar archive that ADD unpacks into {@code destination}; expanded into entries before writing. */
    public record Archive(RegularFile file, String destination) {
    }

    private final NavigableMap<String, Entry> entries = new TreeMap<>(TAR_ORDER);
    private final List<Archive> archives = new ArrayList<>();

    public void directory(String path) {
        parents(path);
        Entry existing = entries.get(path);
        if (!(existing instanceof Directory)) {
            entries.put(path, new Directory());
        }
    }

    public RegularFile file(String path, Path source, FileStat stat) {
        RegularFile file = new RegularFile(source, stat, null);
        replace(path, file);
        return file;
    }

    public void symlink(String path, String target) {
        replace(path, new Symlink(target));
    }

    /** Marks {@code deletedPath} (and all below it) deleted from the layers beneath. */
    public void whiteout(String deletedPath) {
        int slash = deletedPath.lastIndexOf('/');
        String parent = slash < 0 ? "" : deletedPath.substring(0, slash + 1);
        String marker = parent + WHITEOUT_PREFIX + deletedPath.substring(slash + 1);
        if (slash > 0) {
            parents(marker);
        }
        entries.put(marker, new Whiteout());
    }

    /** Hides everything lower layers have under {@code dir}; what this layer puts there stays. */
    public void opaque(String dir) {
        directory(dir);
        entries.put(dir + "/" + OPAQUE, new Whiteout());
    }

    public void archive(Path file, FileStat stat, String destination) {
        if (!destination.isEmpty()) {
            directory(destination);
        }
        archives.add(new Archive(new RegularFile(file, stat, null), destination));
    }

    public NavigableMap<String, Entry> entries() {
        return Collections.unmodifiableNavigableMap(entries);
    }

    public List<Archive> archives() {
        return List.copyOf(archives);
    }

    /** Every file whose content digest the cache key needs: regular files and archives. */
    public List<RegularFile> inputFiles() {
        List<RegularFile> files = new ArrayList<>();
        entries.values().forEach(e -> {
            if (e instanceof RegularFile f) {
                files.add(f);
            }
        });
        archives.forEach(a -> files.add(a.file()));
        return files;
    }

    /** A plan with the same entries (file entries shared, so digests learned through one show in the other). */
    public LayerPlan copy() {
        LayerPlan c = new LayerPlan();
        c.entries.putAll(entries);
        c.archives.addAll(archives);
        return c;
    }

    /** Moves what {@code other} holds (an unpacked archive) under {@code prefix} into this plan. */
    public void merge(String prefix, LayerPlan other) {
        for (Map.Entry<String, Entry> e : other.entries.entrySet()) {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "/" + e.getKey();
            if (e.getValue() instanceof Directory) {
                directory(path);
            } else {
                replace(path, e.getValue());
            }
        }
    }

    /** Drops the archives once they have been unpacked into entries. */
    public void archivesExpanded() {
        archives.clear();
    }

    /**
     * A digest of paths, types, modes and sizes, and with {@code withContent} of the content digests (which must all be
     * known): equal fingerprints mean equal layers.
     */
    public Digest fingerprint(boolean withContent) {
        MessageDigest md = Digest.newSha256();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            String line = switch (e.getValue()) {
                case Directory d -> "d";
                case RegularFile f -> "f " + (f.stat().executable() ? "x " : "- ") + f.stat().size()
                        + (withContent ? " " + requireDigest(e.getKey(), f) : "");
                case Symlink s -> "l " + s.target();
                case Whiteout w -> "w";
            };
            md.update((e.getKey() + "\0" + line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        for (Archive a : archives) {
            md.update(("archive\0" + a.destination() + "\0" + a.file().stat().size()
                    + (withContent ? " " + requireDigest(a.file().source().toString(), a.file()) : "") + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return Digest.fromHash(md.digest());
    }

    private static Digest requireDigest(String path, RegularFile f) {
        if (f.digest() == null) {
            throw new IllegalStateException("content digest of " + path + " is not known yet");
        }
        return f.digest();
    }

    private void replace(String path, Entry entry) {
        parents(path);
        String below = path + "/";
        entries.subMap(below, true, below + Character.MAX_VALUE, true).clear();
        entries.put(path, entry);
    }

    private void parents(String path) {
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String parent = path.substring(0, slash);
            if (!(entries.get(parent) instanceof Directory)) {
                entries.put(parent, new Directory());
            }
        }
    }
}
