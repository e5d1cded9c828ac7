package io.slipway.imagescan;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Expands the manifest paths of a scan into the YAML files to read and the chart directories to
 * render. A directory holding {@code Chart.yaml} is a chart: its templates are not YAML until helm
 * renders them. Hidden directories ({@code .git}) and symbolic links are not followed.
 */
record ManifestPaths(List<Path> files, List<Path> charts) {

    static ManifestPaths expand(List<Path> paths, Findings findings) {
        List<Path> files = new ArrayList<>();
        List<Path> charts = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isRegularFile(path)) {
                files.add(path);
            } else if (Files.isDirectory(path)) {
                walk(path, files, charts, findings);
            } else {
                findings.problem(path, 0, "no such file or directory");
            }
        }
        return new ManifestPaths(files, charts);
    }

    private static void walk(Path root, List<Path> files, List<Path> charts, Findings findings) {
        List<Path> found = new ArrayList<>();
        List<Path> foundCharts = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (Files.isRegularFile(dir.resolve("Chart.yaml"))) {
                        foundCharts.add(dir);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    boolean hidden = !dir.equals(root) && dir.getFileName().toString().startsWith(".");
                    return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && isYaml(file)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    findings.problem(file, 0, "cannot read: " + e.getMessage());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            findings.problem(root, 0, "cannot read: " + e.getMessage());
        }
        found.sort(null);
        foundCharts.sort(null);
        files.addAll(found);
        charts.addAll(foundCharts);
    }

    private static boolean isYaml(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }
}
