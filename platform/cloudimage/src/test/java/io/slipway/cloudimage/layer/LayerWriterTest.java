package io.slipway.cloudimage.layer;

import io.slipway.oci.Digest;
import io.slipway.oci.Digests;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.store.ImageStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class LayerWriterTest {

    @TempDir
    Path tmp;

    @Test
    void anEmptyLayerIsTheWellKnownEmptyTar() throws IOException {
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        try (LayerWriter w = LayerWriter.open(store, Compression.NONE)) {
            Layer layer = w.write(new LayerPlan());
            // 1024 zero bytes: the digest every OCI tool gives an empty layer
            assertThat(layer.diffId().toString())
                    .isEqualTo("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
            assertThat(layer.descriptor().size()).isEqualTo(1024);
        }
    }

    @Test
    void longAndNonAsciiNamesLongLinksAndContentReadBackWithGnuTar() throws Exception {
        Path src = tmp.resolve("src");
        String longDir = "d".repeat(60) + "/" + "e".repeat(60);
        Path file = src.resolve(longDir).resolve("ünïcode-" + "f".repeat(80) + ".txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "content");
        Files.createSymbolicLink(src.resolve("link"), Path.of("target/" + "t".repeat(120)));
        ImageStore store = ImageStore.open(tmp.resolve("store"));

        Layer layer = LayerWriter.writeDirectory(store, Compression.NONE, src, "opt");

        assertThat(layer.descriptor().digest()).isEqualTo(Digests.sha256(store.blobPath(layer.descriptor().digest())));
        Process tar = new ProcessBuilder("tar", "-tvf", store.blobPath(layer.descriptor().digest()).toString())
                .redirectErrorStream(true).start();
        String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(listing).isZero();
        assertThat(listing).contains("opt/" + longDir + "/ünïcode-" + "f".repeat(80) + ".txt")
                .contains("opt/link -> target/" + "t".repeat(120))
                .contains("0/0")
                .contains("1970-01-01 00:00");

        List<String> names = new ArrayList<>();
        try (InputStream in = store.openBlob(layer.descriptor().digest()); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                names.add(e.getName());
                if (!e.isSymbolicLink() && !e.isDirectory()) {
                    assertThat(new String(t.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("content");
                }
            }
        }
        assertThat(names).containsExactly("opt/", "opt/" + "d".repeat(60) + "/", "opt/" + longDir + "/",
                "opt/" + longDir + "/ünïcode-" + "f".repeat(80) + ".txt", "opt/link");
    }

    @Test
    void gzipLayersAreDeterministicAndKeepTheUncompressedDiffId() throws IOException {
        Path src = tmp.resolve("src");
        for (int i = 0; i < 50; i++) {
            Files.createDirectories(src.resolve("dir" + i % 5));
            Files.writeString(src.resolve("dir" + i % 5).resolve("file" + i), "line\n".repeat(i * 100));
        }
        Layer plain = LayerWriter.writeDirectory(ImageStore.open(tmp.resolve("plain")), Compression.NONE, src, "");
        ImageStore store = ImageStore.open(tmp.resolve("gzip"));
        Layer first = LayerWriter.writeDirectory(store, Compression.GZIP, src, "");
        Layer second = LayerWriter.writeDirectory(ImageStore.open(tmp.resolve("gzip2")), Compression.GZIP, src, "");

        assertThat(first).isEqualTo(second);
        assertThat(first.descriptor().mediaType()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
        assertThat(first.diffId()).isEqualTo(plain.diffId());
        assertThat(first.descriptor().size()).isLessThan(plain.descriptor().size());
        try (InputStream in = new GZIPInputStream(store.openBlob(first.descriptor().digest()))) {
            assertThat(Digests.sha256(in)).isEqualTo(plain.diffId());
        }
    }

    @Test
    void contentDigestsAreComputedWhileWriting() throws IOException {
        Path src = tmp.resolve("a.txt");
        Files.writeString(src, "hello");
        LayerPlan plan = new LayerPlan();
        LayerPlan.RegularFile f = plan.file("x/a.txt", src, FileStat.of(src));
        try (LayerWriter w = LayerWriter.open(ImageStore.open(tmp.resolve("store")), Compression.NONE)) {
            w.write(plan);
        }
        assertThat(f.digest()).isEqualTo(Digest.of("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(plan.entries().keySet()).containsExactly("x", "x/a.txt");
    }

    @Test
    void tarOrderPutsADirectoryBeforeItsContentAndSiblingsByName() {
        List<String> paths = new ArrayList<>(List.of("a-b", "a/b", "a", "a/b/c", "B", "a.b"));
        paths.sort(LayerPlan.TAR_ORDER);
        assertThat(paths).containsExactly("B", "a", "a/b", "a/b/c", "a-b", "a.b");
    }

    @Test
    void aFileThatChangesSizeWhileWrittenFailsTheLayer() throws IOException {
        Path src = tmp.resolve("a.txt");
        Files.writeString(src, "hello");
        LayerPlan plan = new LayerPlan();
        plan.file("a.txt", src, FileStat.of(src));
        Files.writeString(src, "hello, grown");
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        try (LayerWriter w = LayerWriter.open(store, Compression.NONE)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.write(plan))
                    .hasMessage(src + " grew while it was being added to the layer");
        }
        try (var left = Files.list(store.root().resolve("tmp"))) {
            assertThat(left).as("the unfinished blob is removed").isEmpty();
        }
    }
}
