package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.BuiltImage;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.store.ImageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.slipway.cloudimage.offline.OfflineFixtures.AMD64;
import static io.slipway.cloudimage.offline.OfflineFixtures.helmChart;
import static io.slipway.cloudimage.offline.OfflineFixtures.registries;
import static io.slipway.cloudimage.offline.OfflineFixtures.statefulSet;
import static io.slipway.cloudimage.offline.OfflineFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole way through the builder: a Kubefile with a helm chart APP and manifests builds a CloudImage whose last layer
 * is a registry that serves every image they name once the internet is gone.
 */
class KubefileWithCachedImagesTest {

    @TempDir
    Path tmp;

    @Test
    void imagesOfAHelmAppAndManifestsAreCachedIntoTheCloudImageAndServedFromIt() throws IOException {
        TheInternet internet = TheInternet.start(tmp.resolve("internet"));
        String host = internet.host();
        Path ctx = tmp.resolve("ctx");
        helmChart(ctx.resolve("web"), "web", host + "/apps/web", "1.0");
        write(ctx, "db.yaml", statefulSet("db", host + "/apps/db:2.0", internet.tool().byDigest()));
        write(ctx, "Kubefile", "FROM scratch\nAPP web local://web\nCOPY db.yaml manifests/\nLAUNCH web\n");
        ImageStore store = ImageStore.open(tmp.resolve("store"));

        BuiltImage image;
        try (Registries registries = registries()) {
            image = new CloudImageBuilder(store).withContainerImageCache(new RegistryImageCache(registries)).build(
                    BuildSpec.builder(ctx).tag("example/web:1").platform(AMD64)
                            .extraImages(List.of(host + "/apps/cache:3")).build(), BuildListener.NONE);
        }

        assertThat(image.unresolved()).isEmpty();
        assertThat(image.metadata().images()).containsExactly(internet.cache().name(), internet.db().name(),
                internet.tool().byDigest(), internet.web().name());
        ImageManifest manifest = store.manifest(image.descriptor().digest());
        Descriptor registryLayer = manifest.layers().get(manifest.layers().size() - 1);
        internet.registry().stop();
        try (EmbeddedRegistry served = OfflineFixtures.serve(store, registryLayer, tmp.resolve("served"))) {
            internet.assertServedBy(served.host(), tmp.resolve("pulled"));
        }
    }
}
