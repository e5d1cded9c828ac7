package io.slipway.oci.sync;

import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.Json;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.oci.registry.RetryPolicy;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Sync jobs between real registries: tag selections, platform filters, blob dedup and mounts, failures reported per image. */
class SyncJobTest {

    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50));
    private static final List<String> APP_TAGS = List.of("latest", "v1.0", "v1.1", "v2.0");

    @TempDir
    static Path dir;
    static EmbeddedRegistry source;
    static EmbeddedRegistry target;
    static EmbeddedRegistry locked;
    static Map<String, Digest> appDigests = new java.util.HashMap<>();
    static Descriptor multi;

    @BeforeAll
    static void seed() throws IOException {
        source = EmbeddedRegistry.start(dir.resolve("source"));
        target = EmbeddedRegistry.start(dir.resolve("target"));
        locked = EmbeddedRegistry.builder(dir.resolve("locked")).basicAuth("owner", "only-owner-knows").start();
        ImageStore store = ImageStore.open(dir.resolve("store"));
        TestImages images = new TestImages(store, 42);
        Descriptor base = images.layer(40_000);
        try (Registries registries = registries()) {
            ImageTransfer transfer = new ImageTransfer(registries, 4);
            for (String tag : APP_TAGS) {
                Descriptor image = images.index("app:" + tag, List.of(Platform.parse("linux/amd64")), List.of(base), 1, 10_000);
                // single-platform images: push the manifest itself, not a one-entry index
                Descriptor manifest = store.index(image.digest()).manifests().get(0);
                store.tag("app:" + tag, manifest);
                transfer.push(store, "app:" + tag, Reference.parse(source.host() + "/src/app:" + tag), TransferListener.NONE);
                appDigests.put(tag, manifest.digest());
            }
            multi = images.index("multi", List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64")), List.of(base), 1, 5_000);
            transfer.push(store, "multi", Reference.parse(source.host() + "/src/multi:1"), TransferListener.NONE);
        }
    }

    @AfterAll
    static void stop() {
        source.stop();
        target.stop();
        locked.stop();
    }

    private static Registries registries() {
        return Registries.of(plain(source), plain(target), plain(locked));
    }

    private static RegistryConfig plain(EmbeddedRegistry r) {
        return RegistryConfig.of(r.host()).withPlainHttp(true).withRetry(FAST);
    }

    private SyncReport sync(String yaml, Path work) throws IOException {
        SyncRules rules = SyncRules.parse(yaml.replace("SRC", source.host()).replace("DST", target.host())
                .replace("LOCKED", locked.host()), "rules.yaml", name -> null);
        try (Registries registries = registries()) {
            return new SyncJob(rules, registries, work, Duration.ofMillis(10)).run(SyncListener.NONE);
        }
    }

    private static Digest remoteDigest(EmbeddedRegistry r, String repo, String tag) throws IOException {
        try (RegistryClient c = RegistryClient.open(plain(r))) {
            return c.headManifest(repo, tag).map(Descriptor::digest).orElse(null);
        }
    }

    @Test
    void allTagsAreCopiedWithTheirDigestsAndSharedBlobsUploadedOnce(@TempDir Path work) throws IOException {
        SyncReport report = sync("""
                images:
                  SRC/src/app: DST/all/app
                concurrency: 3
                """, work);
        assertThat(report.failed()).isEmpty();
        assertThat(report.synced()).hasSize(4);
        for (String tag : APP_TAGS) {
            assertThat(remoteDigest(target, "all/app", tag)).isEqualTo(appDigests.get(tag));
        }
        // shared base once, then a config and a layer per tag
        assertThat(report.blobs().uploaded()).isEqualTo(1 + 2 * APP_TAGS.size());

        SyncReport again = sync("images:\n  SRC/src/app: DST/all/app\n", work);
        assertThat(again.synced()).isEmpty();
        assertThat(again.skipped()).hasSize(4).allSatisfy(e -> assertThat(e.detail()).isEqualTo("already present"));
    }

    @Test
    void tagRegexListedTagsAndDigestSelectTheirImages(@TempDir Path work) throws IOException {
        Digest pinned = appDigests.get("v2.0");
        SyncReport report = sync("""
                images:
                  "SRC/src/app:/^v1\\\\./": DST/regex/app
                  SRC/src/app:v2.0,latest:
                    - DST/listed/one
                    - DST/listed/two
                  SRC/src/app@PINNED: DST/pinned/app:stable
                """.replace("PINNED", pinned.toString()), work);
        assertThat(report.failed()).isEmpty();
        try (RegistryClient c = RegistryClient.open(plain(target))) {
            assertThat(c.listTags("regex/app")).containsExactlyInAnyOrder("v1.0", "v1.1");
            assertThat(c.listTags("listed/one")).containsExactlyInAnyOrder("v2.0", "latest");
            assertThat(c.listTags("listed/two")).containsExactlyInAnyOrder("v2.0", "latest");
            assertThat(c.listTags("pinned/app")).containsExactly("stable");
        }
        assertThat(remoteDigest(target, "pinned/app", "stable")).isEqualTo(pinned);
        assertThat(report.synced()).hasSize(2 + 4 + 1);
        // listed/two gets its blobs mounted from listed/one (or the other way round): the bytes travel once
        assertThat(report.blobs().mounted()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void archFilterKeepsOnlyMatchingPlatformsOfAnIndex(@TempDir Path work) throws IOException {
        SyncReport report = sync("""
                images:
                  SRC/src/multi:1: DST/arm/multi
                  SRC/src/app:v1.0: DST/arm/app
                arch: [arm64]
                """, work);
        assertThat(report.failed()).isEmpty();
        assertThat(report.synced()).hasSize(1);
        assertThat(report.skipped()).singleElement().satisfies(e -> assertThat(e.detail()).contains("linux/amd64"));
        try (RegistryClient c = RegistryClient.open(plain(target))) {
            ImageIndex index = Json.read(c.getManifest("arm/multi", "1").bytes(), ImageIndex.class);
            assertThat(index.manifests()).singleElement().satisfies(d -> assertThat(d.platform().architecture()).isEqualTo("arm64"));
            Descriptor armSource = Json.read(java.nio.file.Files.readAllBytes(
                    dir.resolve("store").resolve("blobs/sha256").resolve(multi.digest().hex())), ImageIndex.class)
                    .manifestFor(Platform.parse("linux/arm64")).orElseThrow();
            assertThat(index.manifests().get(0).digest()).isEqualTo(armSource.digest());
        }
        SyncReport unfiltered = sync("images:\n  SRC/src/multi:1: DST/all/multi\n", work);
        assertThat(unfiltered.failed()).isEmpty();
        assertThat(remoteDigest(target, "all/multi", "1")).isEqualTo(multi.digest());
    }

    @Test
    void aFailingDestinationIsReportedWhileTheOthersSucceed(@TempDir Path work) throws IOException {
        SyncReport report = sync("""
                images:
                  SRC/src/app:v1.1:
                    - DST/ok/app
                    - LOCKED/denied/app
                  SRC/src/missing: DST/missing/app
                """, work);
        assertThat(report.synced()).singleElement().satisfies(e -> assertThat(e.destination()).contains("ok/app"));
        assertThat(report.failed()).hasSize(2);
        assertThat(report.failed()).anySatisfy(e -> {
            assertThat(e.destination()).contains(locked.host() + "/denied/app");
            assertThat(e.detail()).contains("HTTP 401").contains("repository denied/app").doesNotContain("only-owner-knows");
        });
        assertThat(report.failed()).anySatisfy(e -> assertThat(e.detail()).contains("listing tags failed").contains("src/missing"));
        assertThat(remoteDigest(target, "ok/app", "v1.1")).isEqualTo(appDigests.get("v1.1"));
        assertThat(report.summary()).contains("synced 1, skipped 0, failed 2");
    }

    @Test
    void withinOneRegistryBlobsAreMountedNotCopied(@TempDir Path work) throws IOException {
        SyncReport report = sync("images:\n  SRC/src/app:v1.0: SRC/mirror/app\n", work);
        assertThat(report.failed()).isEmpty();
        assertThat(report.blobs().mounted()).isEqualTo(3);
        assertThat(report.blobs().uploaded()).isZero();
        assertThat(remoteDigest(source, "mirror/app", "v1.0")).isEqualTo(appDigests.get("v1.0"));
    }
}
