package io.slipway.cloudimage.layer;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory COPY, ADD and APP read from, and the guard that nothing outside it is read: sources must be relative
 * paths that stay inside after '..' and symbolic links are resolved, and symbolic links inside copied directories are
 * kept as links only when they point inside the context. Violations are {@link ContextException}s naming the source.
 */
public final class BuildContext {

    /** A source named in an instruction: what the destination calls it, and the real file or directory it is. */
    public record Source(String name, Path path, FileStat stat) {
        public boolean isDirectory() {
            return stat.type() == FileStat.Type.DIRECTORY;
        }
    }

    private final Path root;

    public BuildContext(Path dir) throws IOException {
        this.root = dir.toRealPath();
        if (!Files.isDirectory(root)) {
            throw new ContextException("the build context " + dir + " is not a directory");
        }
    }

    public Path root() {
        return root;
    }

    /** The sources a path or glob pattern ({@code *}, {@code ?}, {@code [...]}) names, checked, in name order. */
    public List<Source> match(String written) throws IOException {
        if (written.startsWith("/")) {
            throw new ContextException("source " + written + " is an absolute path; sources are relative to the build context");
        }
        String rel = ImagePath.normalize(written)
                .orElseThrow(() -> new ContextException("source " + written + " escapes the build context"));
        if (!isGlob(rel)) {
            return List.of(source(written, rel));
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rel);
        int depth = rel.split("/").length;
        List<Source> matches = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, depth)) {
            for (Path p : walk.sorted(Comparator.comparing(Path::toString)).toList()) {
                Path relative = root.relativize(p);
                if (!relative.toString().isEmpty() && matcher.matches(relative)) {
                    matches.add(source(written, relative.toString()));
                }
            }
        }
        if (matches.isEmpty()) {
            throw new ContextException("source pattern " + written + " matches nothing in the build context");
        }
        return matches;
    }

    private Source source(String written, String rel) throws IOException {
        Path p = root.resolve(rel);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new ContextException("source " + written + " does not exist in the build context");
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ContextException("source " + written + " is a symbolic link to a missing file");
        }
        if (!real.startsWith(root)) {
            throw new ContextException("source " + written + " resolves through a symbolic link to " + real
                    + ", outside the build context");
        }
        String name = rel.isEmpty() ? "" : Path.of(rel).getFileName().toString();
        FileStat stat = FileStat.of(real);
        if (stat.type() == FileStat.Type.OTHER) {
            throw unsupported(written);
        }
        return new Source(name, real, stat);
    }

    /**
     * Adds a source to the plan: a directory's content goes into {@code destination} (a directory), a file becomes
     * {@code destination} itself.
     */
    public void add(LayerPlan plan, Source source, String destination) throws IOException {
        if (!source.isDirectory()) {
            plan.file(destination, source.path(), source.stat());
            return;
        }
        if (!destination.isEmpty()) {
            plan.directory(destination);
        }
        addTree(plan, source.path(), destination, this::checkLink);
    }

    /** Where a symbolic link inside the context may point: relative, and still inside the context. */
    private void checkLink(Path link, String target) {
        String relLink = root.relativize(link).toString();
        if (target.startsWith("/")) {
            throw new ContextException("symbolic link " + relLink + " points to the absolute path " + target
                    + ", outside the build context");
        }
        Path parent = Path.of(relLink).getParent();
        String joined = (parent == null ? "" : parent + "/") + target;
        Optional<String> inside = ImagePath.normalize(joined);
        if (inside.isEmpty()) {
            throw new ContextException("symbolic link " + relLink + " -> " + target + " points outside the build context");
        }
    }

    /** A check of one symbolic link found while walking a tree; throws to refuse it. */
    @FunctionalInterface
    public interface LinkCheck {
        void check(Path link, String target);
    }

    /**
     * Adds everything under {@code dir} to the plan under {@code destination}, symbolic links as links (never followed)
     * after {@code linkCheck}; sockets, FIFOs and devices are refused.
     */
    public static void addTree(LayerPlan plan, Path dir, String destination, LinkCheck linkCheck) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (!d.equals(dir)) {
                    plan.directory(target(d));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    String target = Files.readSymbolicLink(f).toString();
                    linkCheck.check(f, target);
                    plan.symlink(target(f), target);
                } else if (attrs.isRegularFile()) {
                    plan.file(target(f), f, FileStat.of(f));
                } else {
                    throw unsupported(dir.relativize(f).toString());
                }
                return FileVisitResult.CONTINUE;
            }

            private String target(Path p) {
                String rel = dir.relativize(p).toString();
                return destination.isEmpty() ? rel : destination + "/" + rel;
            }
        });
    }

    private static ContextException unsupported(String name) {
        return new ContextException(name + " is a socket, FIFO or device; only regular files, directories and "
                + "symbolic links can go into a layer");
    }

    private static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }
}
