package io.slipway.oci.archive;

import io.slipway.testkit.Needs;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.store.StoredImage;
import io.slipway.oci.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** save / load as an OCI archive: names and digests survive, the archive is reproducible and checked on load. */
class OciArchiveTest {

    @Test
    void saveLoadRoundTripKeepsNamesAndDigests(@TempDir Path dir) throws Exception {
        ImageStore source = ImageStore.open(dir.resolve("source"));
        TestImages images = new TestImages(source, 5);
        Descriptor shared = images.layer(20_000);
        Descriptor index = images.index("multi:1", List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")),
                List.of(shared), 2, 5_000);
        Descriptor single = images.image("single:2", Platform.parse("linux/amd64"), 1, 3_000);
        images.image("unsaved", Platform.parse("linux/amd64"), 1, 3_000);

        Path tar = dir.resolve("out/images.tar");
        OciArchive.save(source, List.of("multi:1", "single:2"), tar);
        Path again = dir.resolve("again.tar");
        OciArchive.save(source, List.of("single:2", "multi:1"), again);
        assertThat(Files.mismatch(tar, again)).isEqualTo(-1L);

        ImageStore target = ImageStore.open(dir.resolve("target"));
        List<StoredImage> loaded = OciArchive.load(tar, target);
        assertThat(loaded).extracting(StoredImage::name).containsExactly("multi:1", "single:2");
        assertThat(target.resolve("multi:1")).contains(index);
        assertThat(target.resolve("single:2")).contains(single);
        assertThat(target.resolve("unsaved")).isEmpty();
        for (Digest d : source.reachableFrom(index)) {
            assertThat(target.readBlob(d)).isEqualTo(source.readBlob(d));
        }
    }

    @Test
    void corruptOrForeignArchivesAreRefused(@TempDir Path dir) throws Exception {
        ImageStore source = ImageStore.open(dir.resolve("source"));
        new TestImages(source, 6).image("x", Platform.parse("linux/amd64"), 1, 50_000);
        Path tar = dir.resolve("x.tar");
        OciArchive.save(source, List.of("x"), tar);
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            // inside the largest blob, the layer
            f.seek(Files.size(tar) - 30_000);
            f.write(new byte[]{1, 2, 3, 4});
        }
        assertThatThrownBy(() -> OciArchive.load(tar, ImageStore.open(dir.resolve("t1"))))
                .hasMessageContaining("corrupt archive").hasMessageContaining(tar.toString());

        Path notTar = Files.writeString(dir.resolve("plain.txt"), "hello");
        assertThatThrownBy(() -> OciArchive.load(notTar, ImageStore.open(dir.resolve("t2"))))
                .hasMessageContaining("plain.txt");
        assertThatThrownBy(() -> OciArchive.save(source, List.of("missing"), dir.resolve("m.tar")))
                .hasMessageContaining("no image named 'missing'");
    }

    @Test
    void skopeoReadsTheArchive(@TempDir Path dir) throws Exception {
        Needs.machine(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo (Debian package) not installed");
        ImageStore source = ImageStore.open(dir.resolve("source"));
        Descriptor image = new TestImages(source, 7).image("interop", Platform.parse("linux/amd64"), 2, 4_000);
        Path tar = dir.resolve("interop.tar");
        OciArchive.save(source, List.of("interop"), tar);

        Process p = new ProcessBuilder("skopeo", "copy", "--quiet", "oci-archive:" + tar + ":interop",
                "oci:" + dir.resolve("layout") + ":copied").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(ImageStore.open(dir.resolve("layout")).resolve("copied")).get()
                .extracting(Descriptor::digest).isEqualTo(image.digest());
    }
}
