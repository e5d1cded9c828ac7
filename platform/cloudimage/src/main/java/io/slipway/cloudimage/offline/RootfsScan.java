package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.metadata.Application;
import io.slipway.imagescan.FoundImage;
import io.slipway.imagescan.Origin;
import io.slipway.imagescan.Problem;
import io.slipway.imagescan.ScanInput;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a CloudImage's files the image scanner reads, as sealer looks for images: the plain YAML of
 * {@code manifests/} (charts in it rendered), every chart of {@code charts/}, helm applications rendered with their
 * default values, the YAML of kube applications (and of applications of unknown type, which may hold some), the
 * imageList files and the images named on the request. Findings are told with paths relative to the root filesystem,
 * so they read like paths in the CloudImage rather than in a build's scratch directory.
 */
final class RootfsScan {

    /** Where images named on the build request (not in a file) are said to come from. */
    static final String BUILD_REQUEST = "build request";

    private final Path rootfs;

    private RootfsScan(Path rootfs) {
        this.rootfs = rootfs;
    }

    static RootfsScan of(OfflineImagesRequest request) {
        return new RootfsScan(request.rootfs().toAbsolutePath().normalize());
    }

    /** The scanner's input for {@code request}; paths are made absolute under the root filesystem so they map back. */
    ScanInput input(OfflineImagesRequest request) throws IOException {
        ScanInput.Builder input = ScanInput.builder();
        request.manifestsDir().map(this::absolute).ifPresent(input::manifests);
        if (request.chartsDir().isPresent()) {
            charts(absolute(request.chartsDir().get())).forEach(input::chart);
        }
        for (Application app : request.applications()) {
            Path dir = rootfs.resolve(app.path()).normalize();
            switch (app.type()) {
                case HELM -> input.chart(dir);
                case KUBE -> {
                    if (app.files().isEmpty()) {
                        input.manifests(dir);
                    } else {
                        app.files().forEach(file -> input.manifests(dir.resolve(file).normalize()));
                    }
                }
                case UNKNOWN -> input.manifests(dir);
                case SHELL -> { }
            }
        }
        request.imageListFiles().stream().map(this::absolute).forEach(input::imageList);
        input.images(request.extraImages());
        return input.build();
    }

    /** {@code file[:line]: message}, the file relative to the root filesystem. */
    String describe(Problem problem) {
        return where(problem.file(), problem.line()) + ": " + withoutRootfs(problem.message());
    }

    /** Where an image was first named: {@code file[:line]}, or the build request. */
    String origin(FoundImage image) {
        Origin first = image.origins().isEmpty() ? Origin.input() : image.origins().get(0);
        return where(first.file(), first.line());
    }

    private String where(Path file, int line) {
        if (file == null) {
            return BUILD_REQUEST;
        }
        Path absolute = absolute(file);
        String shown = absolute.startsWith(rootfs) ? rootfs.relativize(absolute).toString() : file.toString();
        return line > 0 ? shown + ":" + line : shown;
    }

    /** Messages from helm or the file system may quote absolute paths of the scratch directory. */
    private String withoutRootfs(String message) {
        return message.replace(rootfs + "/", "").replace(rootfs.toString(), ".");
    }

    private Path absolute(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /**
     * The charts of sealer's {@code charts/}: every directory holding {@code Chart.yaml} (its subcharts are its own
     * business) and every packaged {@code .tgz} chart outside them. Hidden directories are skipped, links not followed.
     */
    private static List<Path> charts(Path dir) throws IOException {
        List<Path> charts = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attributes) {
                if (Files.isRegularFile(d.resolve("Chart.yaml"))) {
                    charts.add(d);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                boolean hidden = !d.equals(dir) && d.getFileName().toString().startsWith(".");
                return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && file.getFileName().toString().endsWith(".tgz")) {
                    charts.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        charts.sort(null);
        return charts;
    }
}
