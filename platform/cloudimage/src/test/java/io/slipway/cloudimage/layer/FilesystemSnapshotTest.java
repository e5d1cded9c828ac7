package io.slipway.cloudimage.layer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FilesystemSnapshotTest {

    @TempDir
    Path root;

    private static Map<String, String> kinds(LayerPlan plan) {
        Map<String, String> kinds = new java.util.LinkedHashMap<>();
        plan.entries().forEach((path, e) -> kinds.put(path, e.getClass().getSimpleName()));
        return kinds;
    }

    @Test
    void tellsAddedChangedAndRemovedPaths() throws IOException {
        Files.createDirectories(root.resolve("keep/deep"));
        Files.writeString(root.resolve("keep/deep/same.txt"), "same");
        Files.writeString(root.resolve("keep/edit.txt"), "v1");
        Files.createDirectories(root.resolve("gone/sub"));
        Files.writeString(root.resolve("gone/sub/x"), "x");
        Files.createDirectories(root.resolve("replaced"));
        Files.writeString(root.resolve("replaced/old"), "old");
        Files.writeString(root.resolve("becomes-dir"), "file");
        FilesystemSnapshot before = FilesystemSnapshot.take(root);

        Files.writeString(root.resolve("keep/edit.txt"), "v2");
        Files.writeString(root.resolve("keep/new.txt"), "new");
        try (var walk = Files.walk(root.resolve("gone"))) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.delete(root.resolve("replaced/old"));
        Files.delete(root.resolve("replaced"));
        Files.createDirectories(root.resolve("replaced"));
        Files.writeString(root.resolve("replaced/fresh"), "fresh");
        Files.delete(root.resolve("becomes-dir"));
        Files.createDirectories(root.resolve("becomes-dir"));
        Files.createSymbolicLink(root.resolve("keep/link"), Path.of("/usr/bin/env"));

        List<String> skipped = new ArrayList<>();
        LayerPlan plan = before.changes(skipped);
        assertThat(kinds(plan)).containsExactly(
                Map.entry(".wh.gone", "Whiteout"),
                Map.entry("becomes-dir", "Directory"),
                Map.entry("keep", "Directory"),
                Map.entry("keep/edit.txt", "RegularFile"),
                Map.entry("keep/link", "Symlink"),
                Map.entry("keep/new.txt", "RegularFile"),
                Map.entry("replaced", "Directory"),
                Map.entry("replaced/.wh..wh..opq", "Whiteout"),
                Map.entry("replaced/fresh", "RegularFile"));
        assertThat(plan.entries().get("keep/link")).isEqualTo(new LayerPlan.Symlink("/usr/bin/env"));
        assertThat(skipped).isEmpty();
    }
}
