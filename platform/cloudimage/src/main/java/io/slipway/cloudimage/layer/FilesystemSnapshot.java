package io.slipway.cloudimage.layer;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stat of every path under a root, taken before RUN so that what RUN changed can be told afterwards without
 * reading content: added or changed files (size, times, mode, inode), removed paths (whiteouts), and directories
 * replaced by new ones (opaque). What RUN left that a layer cannot hold (sockets, FIFOs) is left out and reported.
 */
public final class FilesystemSnapshot {

    private final Path root;
    private final Map<String, FileStat> stats;

    private FilesystemSnapshot(Path root, Map<String, FileStat> stats) {
        this.root = root;
        this.stats = stats;
    }

    public static FilesystemSnapshot take(Path root) throws IOException {
        return new FilesystemSnapshot(root, walk(root));
    }

    /** The layer that turns the snapshot's state into the current one; {@code skipped} gets paths left out. */
    public LayerPlan changes(List<String> skipped) throws IOException {
        Map<String, FileStat> now = walk(root);
        LayerPlan plan = new LayerPlan();
        List<String> replacedDirs = new ArrayList<>();
        for (Map.Entry<String, FileStat> e : now.entrySet()) {
            String path = e.getKey();
            FileStat after = e.getValue();
            FileStat before = stats.get(path);
            boolean underReplaced = replacedDirs.stream().anyMatch(d -> path.startsWith(d + "/"));
            if (before != null && !underReplaced && unchanged(before, after)) {
                continue;
            }
            switch (after.type()) {
                case DIRECTORY -> {
                    if (before != null && before.type() == FileStat.Type.DIRECTORY && before.inode() != after.inode()) {
                        plan.opaque(path);
                        replacedDirs.add(path);
                    } else if (before == null || before.type() != FileStat.Type.DIRECTORY
                            || before.mode() != after.mode() || underReplaced) {
                        plan.directory(path);
                    }
                }
                case FILE -> plan.file(path, root.resolve(path), after);
                case SYMLINK -> plan.symlink(path, Files.readSymbolicLink(root.resolve(path)).toString());
                case OTHER -> skipped.add(path);
            }
        }
        for (String path : stats.keySet()) {
            if (!now.containsKey(path) && !coveredByParent(path, now, replacedDirs)) {
                plan.whiteout(path);
            }
        }
        return plan;
    }

    /** A removed path needs no whiteout of its own when its parent went, became a non-directory, or was replaced. */
    private static boolean coveredByParent(String path, Map<String, FileStat> now, List<String> replacedDirs) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        String parent = path.substring(0, slash);
        FileStat p = now.get(parent);
        return p == null || p.type() != FileStat.Type.DIRECTORY || replacedDirs.contains(parent);
    }

    private static boolean unchanged(FileStat a, FileStat b) {
        if (a.type() != b.type() || a.mode() != b.mode() || a.inode() != b.inode()) {
            return false;
        }
        // a directory's times move whenever an entry is added or removed; those entries carry the change
        return a.type() == FileStat.Type.DIRECTORY
                || (a.size() == b.size() && a.mtimeNanos() == b.mtimeNanos() && a.ctimeNanos() == b.ctimeNanos());
    }

    private static Map<String, FileStat> walk(Path root) throws IOException {
        Map<String, FileStat> stats = new TreeMap<>(LayerPlan.TAR_ORDER);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    stats.put(root.relativize(dir).toString(), FileStat.of(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                stats.put(root.relativize(file).toString(), FileStat.of(file));
                return FileVisitResult.CONTINUE;
            }
        });
        return stats;
    }
}
