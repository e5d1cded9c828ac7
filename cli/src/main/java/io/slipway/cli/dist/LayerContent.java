package io.slipway.cli.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What one layer of a container image holds, decided before a byte is written: entries by absolute path without the
 * leading slash, each with its mode and owner. Paths sort as plain strings, which puts a directory before everything
 * in it. Owner is root unless an entry says otherwise; files keep only their executable bit from the disk (0755 or
 * 0644), so the same files give the same layer on every machine.
 */
final class LayerContent {

    static final int ROOT = 0;

    sealed interface Entry permits Directory, HostFile, Bytes, Symlink {
        int mode();

        int owner();
    }

    record Directory(int mode, int owner) implements Entry {
    }

    record HostFile(Path source, long size, int mode, int owner) implements Entry {
    }

    record Bytes(byte[] content, int mode, int owner) implements Entry {
    }

    record Symlink(String target) implements Entry {
        @Override
        public int mode() {
            return 0777;
        }

        @Override
        public int owner() {
            return ROOT;
        }
    }

    private final NavigableMap<String, Entry> entries = new TreeMap<>();

    /** A directory and, with root-owned 0755, every parent not added yet. */
    void directory(String path, int mode, int owner) {
        String p = relative(path);
        parents(p);
        entries.put(p, new Directory(mode, owner));
    }

    void file(String path, Path source) throws IOException {
        String p = relative(path);
        parents(p);
        entries.put(p, new HostFile(source, Files.size(source), Files.isExecutable(source) ? 0755 : 0644, ROOT));
    }

    void text(String path, String content, int mode) {
        bytes(path, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    void bytes(String path, byte[] content, int mode) {
        String p = relative(path);
        parents(p);
        entries.put(p, new Bytes(content.clone(), mode, ROOT));
    }

    void symlink(String path, String target) {
        String p = relative(path);
        parents(p);
        entries.put(p, new Symlink(target));
    }

    /** Everything under {@code dir} that {@code include} accepts (given paths relative to dir) at {@code destination}. */
    void tree(Path dir, String destination, Predicate<Path> include) throws IOException {
        directory(destination, 0755, ROOT);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                Path rel = dir.relativize(p);
                if (rel.toString().isEmpty() || !include.test(rel)) {
                    continue;
                }
                String target = destination + "/" + rel.toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    symlink(target, Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    directory(target, 0755, ROOT);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    file(target, p);
                }
            }
        }
    }

    boolean contains(String path) {
        return entries.containsKey(relative(path));
    }

    NavigableMap<String, Entry> entries() {
        return Collections.unmodifiableNavigableMap(entries);
    }

    private void parents(String path) {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            String parent = path.substring(0, slash);
            if (!entries.containsKey(parent)) {
                parents(parent);
                entries.put(parent, new Directory(0755, ROOT));
            }
        }
    }

    private static String relative(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.isEmpty() || p.endsWith("/") || p.contains("//") || p.equals("..") || p.startsWith("../") || p.contains("/../")) {
            throw new IllegalArgumentException("not a path inside an image: '" + path + "'");
        }
        return p;
    }
}
