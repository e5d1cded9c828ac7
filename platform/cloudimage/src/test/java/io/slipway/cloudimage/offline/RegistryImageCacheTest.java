package io.slipway.cloudimage.offline;

import io.slipway.cloudimage.layer.Compression;
import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.layer.LayerExtractor;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.ApplicationType;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.embedded.Processes;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.Credentials;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.registry.TransferResult;
import io.slipway.oci.store.ImageStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.slipway.cloudimage.offline.OfflineFixtures.AMD64;
import static io.slipway.cloudimage.offline.OfflineFixtures.ARM64;
import static io.slipway.cloudimage.offline.OfflineFixtures.S390X;
import static io.slipway.cloudimage.offline.OfflineFixtures.deployment;
import static io.slipway.cloudimage.offline.OfflineFixtures.entries;
import static io.slipway.cloudimage.offline.OfflineFixtures.helmApplication;
import static io.slipway.cloudimage.offline.OfflineFixtures.insecureQuick;
import static io.slipway.cloudimage.offline.OfflineFixtures.lineOf;
import static io.slipway.cloudimage.offline.OfflineFixtures.registries;
import static io.slipway.cloudimage.offline.OfflineFixtures.repository;
import static io.slipway.cloudimage.offline.OfflineFixtures.revision;
import static io.slipway.cloudimage.offline.OfflineFixtures.statefulSet;
import static io.slipway.cloudimage.offline.OfflineFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Container images named by a CloudImage's charts, manifests and imageList are pulled from a real registry (the
 * "internet") into a registry layer that a second real registry serves after the first one is gone.
 */
class RegistryImageCacheTest {

    @TempDir
    static Path shared;
    static TheInternet source;

    @TempDir
    Path tmp;
    final List<String> log = new ArrayList<>();

    @BeforeAll
    static void startTheInternet() throws IOException {
        source = TheInternet.start(shared);
    }

    @AfterAll
    static void stopTheInternet() {
        source.registry().stop();
    }

    @Test
    void imagesOfAHelmApplicationManifestsAndImageListAreCachedIntoTheImageAndServedFromIt() throws IOException {
        TheInternet own = TheInternet.start(tmp.resolve("own-internet"));
        String host = own.host();
        Path rootfs = tmp.resolve("rootfs");
        Application web = helmApplication(rootfs, "web", host + "/apps/web", "1.0");
        write(rootfs, "manifests/db.yaml", statefulSet("db", host + "/apps/db:2.0", own.tool().byDigest()));
        write(rootfs, "imageList", "# the operator's cache\n" + host + "/apps/cache:3\n");
        ImageStore store = ImageStore.open(tmp.resolve("store"));

        OfflineImages result;
        try (Registries registries = registries()) {
            result = new RegistryImageCache(registries).cache(request(store, rootfs, List.of(web), List.of(AMD64)));
            assertThat(registries.client(host).stats().snapshot().blobsDownloaded())
                    .as("web and cache share their base layer, downloaded once").isEqualTo(10);
        }

        assertThat(result.unresolved()).isEmpty();
        assertThat(result.images()).containsExactly(own.cache().name(), own.db().name(), own.tool().byDigest(),
                own.web().name());
        assertThat(result.layers()).containsOnlyKeys(AMD64);
        Set<String> entries = entries(store, result.layers().get(AMD64));
        String baseLayer = own.base().digest().hex();
        assertThat(entries).filteredOn(e -> e.endsWith("/" + baseLayer + "/data")).hasSize(1);
        assertThat(entries).contains(repository("apps/web") + "_layers/sha256/" + baseLayer + "/link",
                repository("apps/cache") + "_layers/sha256/" + baseLayer + "/link");
        assertThat(log).anyMatch(line -> line.startsWith("cached " + own.web().name() + " for linux/amd64"));

        own.registry().stop();
        try (EmbeddedRegistry served = OfflineFixtures.serve(store, result.layers().get(AMD64).descriptor(), tmp.resolve("served"));
             Registries registries = registries()) {
            own.assertServedBy(served.host(), tmp.resolve("pulled"));
            String arm64 = own.db().platformManifests().get(1).digest().toString();
            assertThat(registries.client(served.host()).headManifest("apps/db", arm64))
                    .as("only amd64's manifest of the index").isEmpty();
        }
    }

    @Test
    void imagesThatCannotBeResolvedOrPulledAreReportedByFileAndLineAndTheRestIsCached() throws IOException {
        String host = source.host();
        String deadHost = Processes.LOOPBACK + ":" + Processes.freePort();
        EmbeddedRegistry locked = EmbeddedRegistry.builder(tmp.resolve("locked")).basicAuth("ci", "right-secret").start();
        try {
            Path rootfs = tmp.resolve("rootfs");
            String app = deployment("app", List.of(host + "/apps/cache:3", host + "/apps/missing:1",
                    deadHost + "/apps/gone:1", locked.host() + "/apps/secret:1"));
            write(rootfs, "manifests/app.yaml", app);
            write(rootfs, "charts/broken/Chart.yaml", "apiVersion: v2\nname: broken\nversion: 0.1.0\n");
            write(rootfs, "charts/broken/values.yaml", "image:\n  repository: " + host + "/apps/cache\n");
            String template = deployment("broken", List.of(
                    "{{ .Values.image.repository }}:{{ required \"image.tag is required\" .Values.image.tag }}"));
            write(rootfs, "charts/broken/templates/deployment.yaml", template);
            String job = deployment("ops", List.of("{{ .Values.tool }}"));
            write(rootfs, "application/apps/ops/job.yaml", job);
            Application ops = new Application("ops", ApplicationType.KUBE, Application.pathOf("ops"), List.of("job.yaml"));
            ImageStore store = ImageStore.open(tmp.resolve("store"));

            OfflineImages result;
            try (Registries registries = Registries.builder().defaults(OfflineFixtures::insecureQuick)
                    .config(insecureQuick(RegistryConfig.of(locked.host())).withCredentials(new Credentials("ci", "wrong-secret")))
                    .build()) {
                result = new RegistryImageCache(registries).cache(request(store, rootfs, List.of(ops), List.of(AMD64)));
            }

            assertThat(result.images()).containsExactly(host + "/apps/cache:3");
            assertThat(entries(store, result.layers().get(AMD64))).contains(repository("apps/cache") + "_manifests/tags/3/current/link");
            assertThat(result.unresolved()).hasSize(5);
            assertThat(result.unresolved()).anySatisfy(line -> assertThat(line)
                    .startsWith("application/apps/ops/job.yaml:" + lineOf(job, "{{ .Values.tool }}") + ": ")
                    .contains("unrendered template expression"));
            assertThat(result.unresolved()).anySatisfy(line -> assertThat(line)
                    .startsWith("charts/broken/templates/deployment.yaml:" + lineOf(template, "required") + ": ")
                    .contains("image.tag is required"));
            assertThat(result.unresolved()).anySatisfy(line -> assertThat(line)
                    .startsWith("manifests/app.yaml:" + lineOf(app, "apps/missing") + ": " + host + "/apps/missing:1: ")
                    .contains("404"));
            assertThat(result.unresolved()).anySatisfy(line -> assertThat(line)
                    .startsWith("manifests/app.yaml:" + lineOf(app, "apps/gone") + ": " + deadHost + "/apps/gone:1: ")
                    .contains("cannot connect"));
            assertThat(result.unresolved()).anySatisfy(line -> assertThat(line)
                    .startsWith("manifests/app.yaml:" + lineOf(app, "apps/secret") + ": " + locked.host() + "/apps/secret:1: ")
                    .contains("401"));
            assertThat(String.join("\n", result.unresolved()) + String.join("\n", log))
                    .doesNotContain("right-secret", "wrong-secret", tmp.toString());
        } finally {
            locked.stop();
        }
    }

    @Test
    void eachPlatformGetsItsOwnLayerWithOnlyItsManifestsAndSharedBlobsAreDownloadedOnce() throws IOException {
        String host = source.host();
        SourceImages.Pushed half;
        try (Registries registries = registries()) {
            SourceImages images = new SourceImages(ImageStore.open(tmp.resolve("half-store")), registries, host, 11);
            half = images.index("apps/half:1", List.of(AMD64, ARM64), List.of(images.layer(1024)));
            String lost = images.ownLayer(half.platformManifests().get(1)).digest().hex();
            Files.delete(source.registry().storageDir().resolve("docker/registry/v2/blobs/sha256/" + lost.substring(0, 2) + "/"
                    + lost + "/data"));
        }
        Path rootfs = tmp.resolve("rootfs");
        write(rootfs, "manifests/imageList", String.join("\n", source.db().name(), source.web().name(), half.name()) + "\n");
        ImageStore store = ImageStore.open(tmp.resolve("store"));

        OfflineImages result;
        try (Registries registries = registries()) {
            result = new RegistryImageCache(registries).cache(request(store, rootfs, List.of(), List.of(AMD64, ARM64, S390X)));
            assertThat(registries.client(host).stats().snapshot().blobsDownloaded())
                    .as("db: shared layer once for both platforms, 2 own, 2 configs; web: 3 for amd64; half: 3 + arm64's config")
                    .isEqualTo(12);
        }

        assertThat(result.layers()).as("nothing to cache for s390x, so no layer").containsOnlyKeys(AMD64, ARM64);
        assertThat(result.layers().get(AMD64).descriptor().digest()).isNotEqualTo(result.layers().get(ARM64).descriptor().digest());
        String amd64Manifest = revision("apps/db", source.db().platformManifests().get(0));
        String arm64Manifest = revision("apps/db", source.db().platformManifests().get(1));
        String index = revision("apps/db", source.db().top());
        String dbTag = repository("apps/db") + "_manifests/tags/2.0/current/link";
        Set<String> amd64 = entries(store, result.layers().get(AMD64));
        Set<String> arm64 = entries(store, result.layers().get(ARM64));
        assertThat(amd64).contains(index, dbTag, amd64Manifest, repository("apps/web") + "_manifests/tags/1.0/current/link",
                repository("apps/half") + "_manifests/tags/1/current/link").doesNotContain(arm64Manifest);
        assertThat(arm64).contains(index, dbTag, arm64Manifest).doesNotContain(amd64Manifest)
                .noneMatch(e -> e.startsWith(repository("apps/web")) || e.startsWith(repository("apps/half")));
        assertThat(result.images()).as("half failed on arm64; web exists for amd64 only and is cached for it")
                .containsExactly(source.db().name(), source.web().name());
        assertThat(result.unresolved()).hasSize(5).contains(
                "manifests/imageList:1: " + source.db().name()
                        + ": linux/s390x: its index has no manifest for this platform (it offers linux/amd64, linux/arm64)",
                "manifests/imageList:2: " + source.web().name()
                        + ": linux/arm64: the image is for linux/amd64 only (a single-platform image, not an index)",
                "manifests/imageList:2: " + source.web().name()
                        + ": linux/s390x: the image is for linux/amd64 only (a single-platform image, not an index)");
        assertThat(result.unresolved()).anySatisfy(line -> assertThat(line)
                .startsWith("manifests/imageList:3: " + half.name() + ": linux/arm64: download blob ").contains("404"));
    }

    @Test
    void theSameImagesGiveTheSameLayerWhereverAndWheneverTheyAreCached() throws IOException {
        List<Layer> layers = new ArrayList<>();
        for (String build : List.of("first", "second")) {
            Path rootfs = tmp.resolve(build).resolve("rootfs");
            write(rootfs, "manifests/app.yaml", deployment("app", List.of(source.web().name(), source.db().name(),
                    source.tool().byDigest())));
            ImageStore store = ImageStore.open(tmp.resolve(build).resolve("store"));
            try (Registries registries = registries()) {
                OfflineImages result = new RegistryImageCache(registries, 1 + layers.size() * 3)
                        .cache(request(store, rootfs, List.of(), List.of(AMD64)));
                assertThat(result.unresolved()).isEmpty();
                layers.add(result.layers().get(AMD64));
            }
        }
        assertThat(layers.get(1)).isEqualTo(layers.get(0));
    }

    @Test
    void imagesOfTheBaseAreNotPulledAgainAndImagesOfTwoRegistriesCannotShareATag() throws IOException {
        String host = source.host();
        String alias = "localhost:" + source.registry().port();
        Path rootfs = tmp.resolve("rootfs");
        write(rootfs, "imageList", String.join("\n", host + "/apps/cache:3", host + "/apps/db:2.0",
                alias + "/apps/db:2.0", host + "/apps/web:1.0") + "\n");
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        OfflineImagesRequest request = new OfflineImagesRequest(store, rootfs, List.of(), Optional.empty(), Optional.empty(),
                List.of(rootfs.resolve("imageList")), List.of(), List.of(host + "/apps/cache:3", alias + "/apps/web:1.0"),
                List.of(AMD64), Compression.NONE, tmp.resolve("work"), log::add);

        OfflineImages result;
        try (Registries registries = registries()) {
            result = new RegistryImageCache(registries).cache(request);
        }

        assertThat(result.images()).containsExactly(host + "/apps/db:2.0");
        assertThat(entries(store, result.layers().get(AMD64))).noneMatch(e -> e.startsWith(repository("apps/cache")));
        assertThat(result.unresolved()).containsExactly(
                "imageList:3: " + alias + "/apps/db:2.0: the offline registry already serves " + host
                        + "/apps/db:2.0 as apps/db:2.0 (it names images without their registry host)",
                "imageList:4: " + host + "/apps/web:1.0: the offline registry already serves " + alias
                        + "/apps/web:1.0 as apps/web:1.0 (it names images without their registry host)");
    }

    private OfflineImagesRequest request(ImageStore store, Path rootfs, List<Application> apps, List<Platform> platforms) {
        Path manifests = rootfs.resolve("manifests");
        Path charts = rootfs.resolve("charts");
        List<Path> imageLists = new ArrayList<>();
        for (Path list : List.of(manifests.resolve("imageList"), rootfs.resolve("imageList"))) {
            if (Files.isRegularFile(list)) {
                imageLists.add(list);
            }
        }
        return new OfflineImagesRequest(store, rootfs, apps,
                Optional.of(manifests).filter(Files::isDirectory), Optional.of(charts).filter(Files::isDirectory),
                imageLists, List.of(), List.of(), platforms, Compression.NONE, rootfs.resolveSibling("work"), log::add);
    }
}
