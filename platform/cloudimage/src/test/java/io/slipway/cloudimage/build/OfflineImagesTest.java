package io.slipway.cloudimage.build;

import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.layer.LayerWriter;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.offline.ContainerImageCache;
import io.slipway.cloudimage.offline.OfflineImages;
import io.slipway.cloudimage.offline.OfflineImagesRequest;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.slipway.cloudimage.build.ContextFiles.entries;
import static io.slipway.cloudimage.build.ContextFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The builder hands the image's applications, manifests and imageList to the {@link ContainerImageCache} and appends
 * the registry layer it returns. The cache here is a stand-in that reads the imageList and writes a real registry-like
 * directory into a layer, since pulling is another module's job.
 */
class OfflineImagesTest {

    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Platform ARM64 = Platform.parse("linux/arm64");

    @TempDir
    Path tmp;

    /** Lists the files it was given and "caches" each imageList line as a directory of the registry layer. */
    private static final class ImageListCache implements ContainerImageCache {
        final List<OfflineImagesRequest> requests = new ArrayList<>();
        final List<List<String>> filesSeen = new ArrayList<>();

        @Override
        public OfflineImages cache(OfflineImagesRequest request) throws IOException {
            requests.add(request);
            try (Stream<Path> walk = Files.walk(request.rootfs())) {
                filesSeen.add(walk.filter(Files::isRegularFile).map(p -> request.rootfs().relativize(p).toString()).sorted().toList());
            }
            List<String> images = new ArrayList<>();
            for (Path list : request.imageListFiles()) {
                images.addAll(Files.readAllLines(list).stream().filter(l -> !l.isBlank()).toList());
            }
            images.addAll(request.extraImages());
            Map<Platform, Layer> layers = new LinkedHashMap<>();
            for (Platform p : request.platforms()) {
                Path registry = request.workDir().resolve(p.architecture());
                for (String image : images) {
                    write(registry, "docker/registry/v2/repositories/" + image.replace(':', '/') + "/link", p.architecture());
                }
                layers.put(p, LayerWriter.writeDirectory(request.store(), request.compression(), registry,
                        OfflineImagesRequest.REGISTRY_DIR));
            }
            return new OfflineImages(layers, images, List.of("charts/broken: no image tag"));
        }
    }

    @Test
    void cachedImagesBecomeTheLastLayerOfEachPlatformAndAreListedInAnnotations() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "imageList", "nginx:1.25\n");
        write(ctx, "app.yaml", "image: nginx:1.25\n");
        write(ctx, "docs/readme.md", "not scanned");
        write(ctx, "Kubefile", "FROM scratch\nCOPY imageList manifests/\nCOPY docs docs/\nAPP web local://app.yaml\nLAUNCH web\n");
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        ImageListCache cache = new ImageListCache();
        RecordingListener listener = new RecordingListener();

        BuiltImage image = new CloudImageBuilder(store).withContainerImageCache(cache).build(
                BuildSpec.builder(ctx).platforms(List.of(AMD64, ARM64)).extraImages(List.of("busybox:1.36")).build(),
                listener);

        assertThat(cache.requests).hasSize(1);
        OfflineImagesRequest request = cache.requests.get(0);
        assertThat(request.platforms()).containsExactly(AMD64, ARM64);
        assertThat(request.applications()).extracting(Application::name).containsExactly("web");
        assertThat(request.manifestsDir()).isPresent();
        assertThat(cache.filesSeen.get(0)).containsExactly("application/apps/web/app.yaml", "manifests/imageList");

        ImageIndex index = store.index(image.descriptor().digest());
        for (Platform p : List.of(AMD64, ARM64)) {
            ImageManifest m = store.manifest(index.manifestFor(p).orElseThrow().digest());
            assertThat(m.layers()).hasSize(4);
            assertThat(entries(store, m.layers().get(3)))
                    .containsEntry("registry/docker/registry/v2/repositories/nginx/1.25/link", "644 " + p.architecture());
            assertThat(m.annotations()).containsEntry("io.slipway.image.images", "[\"busybox:1.36\",\"nginx:1.25\"]");
        }
        assertThat(image.metadata().images()).containsExactly("busybox:1.36", "nginx:1.25");
        assertThat(image.unresolved()).containsExactly("charts/broken: no image tag");
        assertThat(listener.offline).singleElement().satisfies(o -> assertThat(o.layers()).containsKeys(AMD64, ARM64));
        assertThat(listener.layers).filteredOn(b -> b.step().keyword() == null).hasSize(2);
        // the container-image step counts in the total, so no step reads [n+1/n]
        assertThat(listener.steps).isNotEmpty().allSatisfy(st -> assertThat(st.number()).isBetween(1, st.total()));
        assertThat(listener.steps).filteredOn(st -> st.keyword() == null).isNotEmpty().allSatisfy(st -> assertThat(st.number()).isEqualTo(st.total()));
    }

    @Test
    void imagesOfTheBaseAreKeptAndOfferedAsAlreadyCached() throws IOException {
        ImageStore store = ImageStore.open(tmp.resolve("store"));
        ImageListCache cache = new ImageListCache();
        CloudImageBuilder builder = new CloudImageBuilder(store).withContainerImageCache(cache);
        Path base = tmp.resolve("base");
        write(base, "imageList", "pause:3.9\n");
        write(base, "Kubefile", "FROM scratch\nCOPY imageList imageList\n");
        builder.build(BuildSpec.builder(base).tag("base:1").platform(AMD64).build(), BuildListener.NONE);

        Path app = tmp.resolve("app");
        write(app, "Kubefile", "FROM base:1\nLABEL x=y\n");
        BuiltImage image = builder.build(BuildSpec.builder(app).platform(AMD64).build(), BuildListener.NONE);
        assertThat(cache.requests.get(1).alreadyCached()).containsExactly("pause:3.9");
        assertThat(image.metadata().images()).containsExactly("pause:3.9");
    }
}
