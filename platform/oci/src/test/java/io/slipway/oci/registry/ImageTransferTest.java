package io.slipway.oci.registry;

import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Push and pull against a real registry (distribution 2.8): digests survive, present blobs are not sent again. */
class ImageTransferTest {

    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Platform ARM64 = Platform.parse("linux/arm64/v8");

    @TempDir
    static Path dir;
    static EmbeddedRegistry registry;
    static Registries registries;

    @BeforeAll
    static void start() {
        registry = EmbeddedRegistry.start(dir.resolve("registry"));
        registries = Registries.of(RegistryConfig.of(registry.host()).withPlainHttp(true)
                .withUploadSizes(256 * 1024, 200 * 1024));
    }

    @AfterAll
    static void stop() {
        registries.close();
        registry.stop();
    }

    private Reference ref(String repoAndTag) {
        return Reference.parse(registry.host() + "/" + repoAndTag);
    }

    @Test
    void singleImageRoundTripKeepsDigestsAndSecondPushSendsNoBlob(@TempDir Path tmp) throws Exception {
        ImageStore source = ImageStore.open(tmp.resolve("source"));
        // one layer above the monolithic limit goes up in PATCH chunks
        Descriptor pushed = new TestImages(source, 1).image("app:1", AMD64, 3, 700 * 1024);
        ImageTransfer transfer = new ImageTransfer(registries, 4);
        ConcurrentMap<Digest, Long> progress = new ConcurrentHashMap<>();
        ConcurrentMap<Digest, Long> totals = new ConcurrentHashMap<>();
        TransferListener listener = new TransferListener() {
            @Override
            public void blobProgress(Descriptor blob, long done, long total) {
                progress.merge(blob.digest(), done, Math::max);
                totals.put(blob.digest(), total);
            }
        };

        TransferResult first = transfer.push(source, "app:1", ref("team/app:1"), listener);
        assertThat(first.count(BlobOutcome.UPLOADED)).isEqualTo(4);
        assertThat(progress).hasSize(4);
        assertThat(progress).isEqualTo(totals);
        assertThat(progress.values()).anySatisfy(size -> assertThat(size).isGreaterThan(700L * 1024));

        RegistryClient client = registries.client(registry.host());
        TransferStats.Snapshot before = client.stats().snapshot();
        TransferResult second = transfer.push(source, "app:1", ref("team/app:1"), TransferListener.NONE);
        TransferStats.Snapshot delta = client.stats().snapshot().minus(before);
        assertThat(second.count(BlobOutcome.ALREADY_PRESENT)).isEqualTo(4);
        assertThat(delta.blobsUploaded()).isZero();
        assertThat(delta.bytesUploaded()).isZero();

        ImageStore target = ImageStore.open(tmp.resolve("target"));
        TransferResult pulled = transfer.pull(ref("team/app:1"), target, "copy", Set.of(), TransferListener.NONE);
        assertThat(pulled.root()).isEqualTo(new Descriptor(MediaTypes.OCI_MANIFEST, pushed.digest(), pushed.size()));
        assertThat(target.resolve("copy")).get().extracting(Descriptor::digest).isEqualTo(pushed.digest());
        assertThat(target.reachableFrom(pulled.root())).isEqualTo(source.reachableFrom(pushed));
        for (Digest d : target.reachableFrom(pulled.root())) {
            assertThat(target.readBlob(d)).isEqualTo(source.readBlob(d));
        }
    }

    @Test
    void multiArchIndexRoundTripAndPlatformFilter(@TempDir Path tmp) throws Exception {
        ImageStore source = ImageStore.open(tmp.resolve("source"));
        TestImages images = new TestImages(source, 2);
        Descriptor shared = images.layer(50_000);
        Descriptor index = images.index("multi:1", List.of(AMD64, ARM64), List.of(shared), 2, 30_000);
        ImageTransfer transfer = new ImageTransfer(registries, 3);

        TransferResult push = transfer.push(source, "multi:1", ref("team/multi:1"), TransferListener.NONE);
        // the shared layer is counted once: 1 shared + 2x(2 layers + config)
        assertThat(push.count(BlobOutcome.UPLOADED)).isEqualTo(7);
        RegistryClient client = registries.client(registry.host());
        assertThat(client.headManifest("team/multi", "1")).get().extracting(Descriptor::digest).isEqualTo(index.digest());

        ImageStore all = ImageStore.open(tmp.resolve("all"));
        TransferResult pulledAll = transfer.pull(ref("team/multi:1"), all, "m", Set.of(), TransferListener.NONE);
        assertThat(pulledAll.root().digest()).isEqualTo(index.digest());
        assertThat(all.reachableFrom(pulledAll.root())).isEqualTo(source.reachableFrom(index));

        ImageStore arm = ImageStore.open(tmp.resolve("arm"));
        TransferResult pulledArm = transfer.pull(ref("team/multi:1"), arm, "m", Set.of(Platform.parse("linux/arm64")),
                TransferListener.NONE);
        Descriptor armManifest = source.index(index.digest()).manifestFor(ARM64).orElseThrow();
        assertThat(pulledArm.root().digest()).isEqualTo(armManifest.digest());
        assertThat(arm.reachableFrom(pulledArm.root())).isEqualTo(source.reachableFrom(armManifest));

        assertThatThrownBy(() -> transfer.pull(ref("team/multi:1"), arm, "x", Set.of(Platform.parse("linux/s390x")),
                TransferListener.NONE))
                .hasMessageContaining("no manifest for linux/s390x").hasMessageContaining("linux/arm64/v8");

        // an index pulled for one platform cannot be pushed whole; an index pushed again is found complete
        TransferResult again = transfer.push(all, "m", ref("other/multi:2"), TransferListener.NONE);
        assertThat(again.count(BlobOutcome.UPLOADED)).isEqualTo(7);
        ImageIndex remote = io.slipway.oci.Json.read(client.getManifest("other/multi", "2").bytes(), ImageIndex.class);
        assertThat(remote.manifests()).hasSize(2);
    }

    @Test
    void tagsAreListedAcrossPages(@TempDir Path tmp) throws Exception {
        ImageStore source = ImageStore.open(tmp.resolve("source"));
        new TestImages(source, 3).image("t", AMD64, 1, 1000);
        ImageTransfer transfer = new ImageTransfer(registries, 2);
        for (String tag : List.of("a", "b", "c", "d", "e")) {
            transfer.push(source, "t", ref("paged/t:" + tag), TransferListener.NONE);
        }
        // pages of 2: a client that ignored the Link header would see only two tags (distribution 2.8 does not sort them)
        assertThat(registries.client(registry.host()).listTags("paged/t", 2)).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
    }

    @Test
    void missingImageAndMissingRepositoryAreClearErrors(@TempDir Path tmp) throws Exception {
        ImageStore store = ImageStore.open(tmp);
        ImageTransfer transfer = new ImageTransfer(registries, 2);
        assertThatThrownBy(() -> transfer.push(store, "nope", ref("x/y:1"), TransferListener.NONE))
                .hasMessageContaining("no image named 'nope'");
        assertThatThrownBy(() -> transfer.pull(ref("does/not-exist:1"), store, "n", Set.of(), TransferListener.NONE))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("get manifest 1 failed at registry " + registry.host())
                .hasMessageContaining("repository does/not-exist")
                .hasMessageContaining("HTTP 404");
    }
}
