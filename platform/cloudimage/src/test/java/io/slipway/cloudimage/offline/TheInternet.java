package io.slipway.cloudimage.offline;

import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static io.slipway.cloudimage.offline.OfflineFixtures.AMD64;
import static io.slipway.cloudimage.offline.OfflineFixtures.ARM64;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The images a registry standing in for the internet holds: web and cache (amd64) sharing a base layer, db as an
 * index for amd64 and arm64, and tool, which manifests name only by digest.
 */
record TheInternet(EmbeddedRegistry registry, Descriptor base, SourceImages.Pushed web, SourceImages.Pushed cache,
                   SourceImages.Pushed db, SourceImages.Pushed tool) {

    static TheInternet start(Path dir) throws IOException {
        EmbeddedRegistry registry = EmbeddedRegistry.start(dir.resolve("registry"));
        try (Registries registries = OfflineFixtures.registries()) {
            SourceImages images = new SourceImages(ImageStore.open(dir.resolve("store")), registries, registry.host(), 7);
            Descriptor base = images.layer(8192);
            return new TheInternet(registry, base,
                    images.image("apps/web:1.0", AMD64, List.of(base)),
                    images.image("apps/cache:3", AMD64, List.of(base)),
                    images.index("apps/db:2.0", List.of(AMD64, ARM64), List.of(images.layer(4096))),
                    images.image("apps/tool:0.1", AMD64, List.of()));
        } catch (IOException | RuntimeException e) {
            registry.stop();
            throw e;
        }
    }

    String host() {
        return registry.host();
    }

    /**
     * Asserts that the registry at {@code host} serves web, cache and db by tag and tool by digest for amd64, each with
     * the digests pushed here (the tag of db still naming its whole index), every blob verified on the way.
     */
    void assertServedBy(String host, Path scratch) throws IOException {
        try (Registries registries = OfflineFixtures.registries()) {
            ImageStore pulled = ImageStore.open(scratch);
            ImageTransfer transfer = new ImageTransfer(registries, 2);
            RegistryClient client = registries.client(host);
            for (SourceImages.Pushed image : List.of(web, cache, db)) {
                Reference there = image.reference().withRegistry(host);
                assertThat(client.getManifest(there.repository(), there.tag()).digest()).isEqualTo(image.top().digest());
                Descriptor expected = image.platformManifests().isEmpty() ? image.top() : image.platformManifests().get(0);
                assertThat(transfer.pull(there, pulled, there.toString(), Set.of(AMD64), TransferListener.NONE).root().digest())
                        .isEqualTo(expected.digest());
            }
            Reference pinned = Reference.parse(host + "/" + tool.reference().repository() + "@" + tool.top().digest());
            assertThat(transfer.pull(pinned, pulled, "tool", Set.of(AMD64), TransferListener.NONE).root().digest())
                    .isEqualTo(tool.top().digest());
            assertThat(client.headManifest(tool.reference().repository(), tool.reference().tag()))
                    .as("named by digest only: no tag").isEmpty();
        }
    }
}
