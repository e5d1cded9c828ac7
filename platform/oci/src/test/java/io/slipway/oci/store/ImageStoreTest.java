package io.slipway.oci.store;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.Json;
import io.slipway.oci.Platform;
import io.slipway.oci.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store is an OCI layout: names in index.json, content-addressed blobs, garbage collection of what no name reaches. */
class ImageStoreTest {

    @Test
    void tagResolveUntagAndReopen(@TempDir Path dir) throws Exception {
        ImageStore store = ImageStore.open(dir);
        Descriptor image = new TestImages(store, 1).image("app:1", Platform.parse("linux/amd64"), 2, 100);
        store.tag("app:stable", image);

        assertThat(store.resolve("app:1")).contains(image);
        assertThat(store.images()).extracting(StoredImage::name).containsExactly("app:1", "app:stable");
        assertThat(Files.readString(dir.resolve("oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");
        assertThat(Files.readString(dir.resolve("index.json"))).contains("\"org.opencontainers.image.ref.name\" : \"app:stable\"");

        assertThat(store.untag("app:1")).isTrue();
        assertThat(store.untag("app:1")).isFalse();
        assertThat(store.resolve("app:1")).isEmpty();
        assertThat(ImageStore.open(dir).resolve("app:stable")).contains(image);
    }

    @Test
    void tagRefusesContentTheStoreDoesNotHold(@TempDir Path dir) {
        ImageStore store = ImageStore.open(dir);
        Descriptor ghost = new Descriptor("application/vnd.oci.image.manifest.v1+json", Digest.of(new byte[]{1}), 1);
        assertThatThrownBy(() -> store.tag("ghost", ghost)).hasMessageContaining("is not in the image store");
        assertThatThrownBy(() -> store.tag(" ", ghost)).hasMessageContaining("must not be empty");
    }

    @Test
    void blobsAreContentAddressed(@TempDir Path dir) throws Exception {
        ImageStore store = ImageStore.open(dir);
        Descriptor a = store.putBlob("x", new ByteArrayInputStream("hello".getBytes()));
        Descriptor b = store.putBytes("x", "hello".getBytes());
        assertThat(a.digest()).isEqualTo(b.digest()).isEqualTo(Digest.of("hello".getBytes()));
        assertThat(store.readBlob(a.digest())).isEqualTo("hello".getBytes());
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void gcRemovesOnlyWhatNoNameNorKeepReaches(@TempDir Path dir) throws Exception {
        ImageStore store = ImageStore.open(dir);
        TestImages images = new TestImages(store, 2);
        Descriptor shared = images.layer(1000);
        Descriptor keepIndex = images.index("keep", List.of(Platform.parse("linux/amd64")), List.of(shared), 1, 500);
        Descriptor dropped = images.index("drop", List.of(Platform.parse("linux/arm64")), List.of(shared), 2, 700);
        Descriptor cached = images.layer(300);
        Set<Digest> keepReach = store.reachableFrom(keepIndex);
        Set<Digest> dropReach = store.reachableFrom(dropped);
        assertThat(keepReach).contains(shared.digest());

        store.untag("drop");
        GcResult gc = store.gc(Set.of(cached.digest()));

        // dropped: its index, manifest, config and 2 own layers; the shared layer stays
        assertThat(gc.blobsRemoved()).isEqualTo(5);
        assertThat(gc.bytesFreed()).isGreaterThan(1400);
        keepReach.forEach(d -> assertThat(store.hasBlob(d)).isTrue());
        assertThat(store.hasBlob(cached.digest())).isTrue();
        dropReach.stream().filter(d -> !keepReach.contains(d)).forEach(d -> assertThat(store.hasBlob(d)).isFalse());
        assertThat(Json.read(store.readBlob(keepIndex.digest()), io.slipway.oci.ImageIndex.class).manifests()).hasSize(1);
    }
}
