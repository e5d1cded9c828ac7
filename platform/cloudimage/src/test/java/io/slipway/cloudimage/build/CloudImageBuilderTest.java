package io.slipway.cloudimage.build;

import io.slipway.cloudimage.kubefile.KubefileException;
import io.slipway.cloudimage.layer.Compression;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.ApplicationType;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.cloudimage.metadata.ImageType;
import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.slipway.cloudimage.build.ContextFiles.entries;
import static io.slipway.cloudimage.build.ContextFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudImageBuilderTest {

    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final Platform ARM64 = Platform.parse("linux/arm64");

    @TempDir
    Path tmp;

    private ImageStore store(String name) {
        return ImageStore.open(tmp.resolve(name));
    }

    private static BuildSpec.Builder spec(Path context) {
        return BuildSpec.builder(context).tag("test/app:1").platform(AMD64);
    }

    @Test
    void buildsLayersAndRecordsWhatTheImageIsInAnnotations() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "manifests/app.yaml", "kind: Deployment\n");
        write(ctx, "manifests/imageList", "nginx:1.25\n");
        write(ctx, "chart/Chart.yaml", "name: web\n");
        write(ctx, "chart/values.yaml", "replicas: 1\n");
        write(ctx, "chart/templates/deploy.yaml", "kind: Deployment\n");
        write(ctx, "calico.yaml", "kind: DaemonSet\n");
        ContextFiles.executable(ctx, "scripts/init.sh", "#!/bin/sh\necho init\n");
        write(ctx, "Kubefile", """
                FROM scratch
                ENV CLUSTER=prod
                LABEL team=infra
                COPY manifests manifests/
                COPY scripts /scripts
                APP web local://chart
                APP setup local://scripts/init.sh
                APPENV web REPLICAS=3
                CNI calico local://calico.yaml
                KUBEVERSION v1.22.15
                LAUNCH web calico
                """);
        ImageStore store = store("store");
        RecordingListener listener = new RecordingListener();

        BuiltImage image = new CloudImageBuilder(store).build(spec(ctx).build(), listener);

        assertThat(store.resolve("docker.io/test/app:1")).contains(image.descriptor());
        assertThat(image.name()).isEqualTo("docker.io/test/app:1");
        ImageManifest manifest = store.manifest(image.descriptor().digest());
        assertThat(manifest.layers()).hasSize(5).allMatch(l -> l.mediaType().equals(MediaTypes.OCI_LAYER_TAR));
        assertThat(listener.layers).extracting(b -> b.step().line()).containsExactly(4, 5, 6, 7, 9);
        assertThat(listener.steps).extracting(BuildStep::text).contains("COPY manifests manifests/", "APP web local://chart");

        assertThat(entries(store, manifest.layers().get(0))).containsExactly(
                Map.entry("manifests/", "dir 755"),
                Map.entry("manifests/app.yaml", "644 kind: Deployment\n"),
                Map.entry("manifests/imageList", "644 nginx:1.25\n"));
        assertThat(entries(store, manifest.layers().get(1))).containsExactly(
                Map.entry("scripts/", "dir 755"),
                Map.entry("scripts/init.sh", "755 #!/bin/sh\necho init\n"));
        assertThat(entries(store, manifest.layers().get(2))).containsKeys("application/", "application/apps/",
                "application/apps/web/", "application/apps/web/.wh..wh..opq", "application/apps/web/Chart.yaml",
                "application/apps/web/templates/deploy.yaml");

        CloudImageMetadata m = CloudImageMetadata.fromAnnotations(manifest.annotations());
        assertThat(m.type()).isEqualTo(ImageType.KUBE_INSTALLER);
        assertThat(m.applications()).containsExactly(
                new Application("web", ApplicationType.HELM, "application/apps/web/", List.of()),
                new Application("setup", ApplicationType.SHELL, "application/apps/setup/", List.of("init.sh")),
                new Application("calico", ApplicationType.KUBE, "application/apps/calico/", List.of("calico.yaml")));
        assertThat(m.launch()).containsExactly("web", "calico");
        assertThat(m.env()).containsEntry("CLUSTER", "prod");
        assertThat(m.appEnv()).containsEntry("web", Map.of("REPLICAS", "3"));
        assertThat(m.kubeVersion()).isEqualTo("v1.22.15");
        assertThat(m.cni()).containsExactly("calico");
        assertThat(manifest.annotations()).containsEntry("io.slipway.image.type", "kube-installer")
                .containsEntry("io.slipway.image.launch", "[\"web\",\"calico\"]");

        ImageConfig config = store.config(manifest.config().digest());
        assertThat(config.architecture()).isEqualTo("amd64");
        assertThat(config.config().env()).containsExactly("CLUSTER=prod");
        assertThat(config.config().labels()).containsEntry("team", "infra")
                .containsEntry("cluster.alpha.sealer.io/kube-cni-calico", "true")
                .containsEntry("app.alpha.sealer.io/supported-kube-version", "v1.22.15");
        assertThat(config.rootfs().diffIds()).hasSize(5);
        assertThat(config.history()).extracting(ImageConfig.History::createdBy).first().isEqualTo("ENV CLUSTER=prod");
    }

    @Test
    void sameInputsGiveTheSameDigestsWhereverAndWheneverTheyAreBuilt() throws IOException {
        String kubefile = """
                FROM scratch
                COPY . /
                APP app local://manifests
                RUN ["sh", "-c", "mkdir -p generated && echo made > generated/out.txt"]
                """;
        Path first = tmp.resolve("first/ctx");
        write(first, "manifests/a.yaml", "a: 1\n");
        write(first, "manifests/b.yaml", "b: 2\n");
        ContextFiles.executable(first, "bin/tool", "#!/bin/sh\n");
        Files.createSymbolicLink(first.resolve("bin/alias"), Path.of("tool"));
        write(first, "Kubefile", kubefile);

        Path second = tmp.resolve("elsewhere/deeper/ctx");
        write(second, "Kubefile", kubefile);
        ContextFiles.executable(second, "bin/tool", "#!/bin/sh\n");
        Files.setPosixFilePermissions(second.resolve("bin/tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(second.resolve("bin/alias"), Path.of("tool"));
        write(second, "manifests/b.yaml", "b: 2\n");
        write(second, "manifests/a.yaml", "a: 1\n");
        try (var walk = Files.walk(second)) {
            for (Path p : walk.toList()) {
                Files.setAttribute(p, "unix:uid", 1234, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", 5678, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(86_400_000L * 3650));
                }
            }
        }

        for (Compression compression : Compression.values()) {
            BuiltImage a = new CloudImageBuilder(store("a-" + compression))
                    .build(spec(first).compression(compression).build(), BuildListener.NONE);
            BuiltImage b = new CloudImageBuilder(store("b-" + compression))
                    .build(spec(second).compression(compression).build(), BuildListener.NONE);
            assertThat(b.descriptor()).as(compression.name()).isEqualTo(a.descriptor());
        }
    }

    @Test
    void unchangedRebuildReusesEveryLayerAndAChangeRebuildsFromThere() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "one/a.txt", "a");
        write(ctx, "two/b.txt", "b");
        write(ctx, "three/c.txt", "c");
        write(ctx, "Kubefile", """
                FROM scratch
                COPY one one/
                COPY two two/
                RUN ["sh", "-c", "ls one two > listing"]
                COPY three three/
                """);
        ImageStore store = store("store");
        CloudImageBuilder builder = new CloudImageBuilder(store);

        RecordingListener first = new RecordingListener();
        BuiltImage built = builder.build(spec(ctx).build(), first);
        assertThat(first.cacheFlags()).containsExactly(false, false, false, false);

        RecordingListener unchanged = new RecordingListener();
        BuiltImage again = builder.build(spec(ctx).build(), unchanged);
        assertThat(unchanged.cacheFlags()).containsExactly(true, true, true, true);
        assertThat(again.descriptor()).isEqualTo(built.descriptor());
        assertThat(again.manifests().get(0).cachedLayers()).isEqualTo(4);

        write(ctx, "two/b.txt", "changed");
        RecordingListener changed = new RecordingListener();
        BuiltImage rebuilt = builder.build(spec(ctx).build(), changed);
        assertThat(changed.cacheFlags()).containsExactly(true, false, false, false);
        assertThat(rebuilt.descriptor()).isNotEqualTo(built.descriptor());

        RecordingListener noCache = new RecordingListener();
        BuiltImage forced = builder.build(spec(ctx).noCache(true).build(), noCache);
        assertThat(noCache.cacheFlags()).containsExactly(false, false, false, false);
        assertThat(forced.descriptor()).isEqualTo(rebuilt.descriptor());
    }

    @Test
    void aTouchedButUnchangedFileStillHitsTheCache() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Path file = write(ctx, "data/x.bin", "payload");
        write(ctx, "Kubefile", "FROM scratch\nCOPY data data/\n");
        CloudImageBuilder builder = new CloudImageBuilder(store("store"));
        builder.build(spec(ctx).build(), BuildListener.NONE);

        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        RecordingListener listener = new RecordingListener();
        builder.build(spec(ctx).build(), listener);
        assertThat(listener.cacheFlags()).containsExactly(true);

        Path moved = tmp.resolve("moved");
        Files.move(ctx, moved);
        RecordingListener elsewhere = new RecordingListener();
        builder.build(spec(moved).build(), elsewhere);
        assertThat(elsewhere.cacheFlags()).as("the cache key is content, not location").containsExactly(true);
    }

    @Test
    void runAddsWhatTheCommandChangedWithWhiteoutsForDeletions() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "etc/keep.conf", "keep");
        write(ctx, "etc/old.conf", "old");
        write(ctx, "etc/edit.conf", "before");
        write(ctx, "Kubefile", """
                FROM scratch
                ARG GREETING=hello
                ENV TARGET=world
                COPY etc etc/
                RUN rm etc/old.conf && echo after > etc/edit.conf && mkdir -p opt && \\
                    echo "$GREETING $TARGET on $ARCH" | tee opt/greeting && echo to-stderr >&2
                """);
        ImageStore store = store("store");
        RecordingListener listener = new RecordingListener();
        BuiltImage image = new CloudImageBuilder(store).build(spec(ctx).build(), listener);

        ImageManifest manifest = store.manifest(image.descriptor().digest());
        assertThat(entries(store, manifest.layers().get(1))).containsExactly(
                Map.entry("etc/", "dir 755"),
                Map.entry("etc/.wh.old.conf", "644 "),
                Map.entry("etc/edit.conf", "644 after\n"),
                Map.entry("opt/", "dir 755"),
                Map.entry("opt/greeting", "644 hello world on amd64\n"));
        assertThat(listener.logs).containsExactly("hello world on amd64", "to-stderr");
    }

    @Test
    void runSeesEarlierRunsAndCachedLayersOfTheImage() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "in.txt", "input");
        write(ctx, "Kubefile", """
                FROM scratch
                COPY in.txt in.txt
                RUN cp in.txt copied.txt
                RUN cat copied.txt in.txt > both.txt
                """);
        ImageStore store = store("store");
        BuiltImage image = new CloudImageBuilder(store).build(spec(ctx).build(), BuildListener.NONE);
        ImageManifest manifest = store.manifest(image.descriptor().digest());
        assertThat(entries(store, manifest.layers().get(2))).containsExactly(Map.entry("both.txt", "644 inputinput"));
    }

    @Test
    void aRunAfterACachedRunSeesTheCachedLayersFiles() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "Kubefile", "FROM scratch\nRUN echo first > a.txt\nRUN cat a.txt > b.txt\n");
        ImageStore store = store("store");
        CloudImageBuilder builder = new CloudImageBuilder(store);
        builder.build(spec(ctx).build(), BuildListener.NONE);

        write(ctx, "Kubefile", "FROM scratch\nRUN echo first > a.txt\nRUN cat a.txt a.txt > b.txt\n");
        RecordingListener listener = new RecordingListener();
        BuiltImage image = builder.build(spec(ctx).build(), listener);
        assertThat(listener.cacheFlags()).containsExactly(true, false);
        ImageManifest manifest = store.manifest(image.descriptor().digest());
        assertThat(entries(store, manifest.layers().get(1))).containsExactly(Map.entry("b.txt", "644 first\nfirst\n"));
    }

    @Test
    void runFailuresAndTimeoutsNameTheLine() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "Kubefile", "FROM scratch\n\nRUN echo partial && exit 3\n");
        RecordingListener listener = new RecordingListener();
        CloudImageBuilder builder = new CloudImageBuilder(store("store"));
        assertThatThrownBy(() -> builder.build(spec(ctx).build(), listener))
                .isInstanceOf(KubefileException.class)
                .hasMessage("Kubefile:3: RUN failed with exit code 3: echo partial && exit 3");
        assertThat(listener.logs).containsExactly("partial");

        write(ctx, "Kubefile", "FROM scratch\nRUN sleep 30 & sleep 60\n");
        long start = System.nanoTime();
        assertThatThrownBy(() -> builder.build(spec(ctx).runTimeout(Duration.ofMillis(500)).build(), BuildListener.NONE))
                .isInstanceOf(KubefileException.class)
                .hasMessage("Kubefile:2: RUN timed out after 500ms and was killed: sleep 30 & sleep 60");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void fromABuiltImageReusesItsLayersAndMetadata() throws IOException {
        Path base = tmp.resolve("base");
        write(base, "bin/kubeadm", "kubeadm");
        write(base, "net.yaml", "kind: DaemonSet\n");
        write(base, "Kubefile", "FROM scratch\nENV K8S=1.22\nCOPY bin /bin\nCNI flannel local://net.yaml\nKUBEVERSION v1.22.15\n");
        ImageStore store = store("store");
        CloudImageBuilder builder = new CloudImageBuilder(store);
        BuiltImage kube = builder.build(BuildSpec.builder(base).tag("kubernetes:v1.22.15").platform(AMD64).build(),
                BuildListener.NONE);

        Path app = tmp.resolve("app");
        write(app, "helm", "helm binary");
        write(app, "app.yaml", "kind: Service\n");
        write(app, "Kubefile", "FROM kubernetes:v1.22.15\nCOPY helm /bin\nAPP web local://app.yaml\nLAUNCH flannel web\n");
        BuiltImage built = builder.build(spec(app).build(), BuildListener.NONE);

        ImageManifest baseManifest = store.manifest(kube.descriptor().digest());
        ImageManifest manifest = store.manifest(built.descriptor().digest());
        assertThat(manifest.layers()).hasSize(4).startsWith(baseManifest.layers().toArray(Descriptor[]::new));
        assertThat(entries(store, manifest.layers().get(2))).as("COPY into the base image's /bin directory")
                .containsExactly(Map.entry("bin/", "dir 755"), Map.entry("bin/helm", "644 helm binary"));
        CloudImageMetadata m = built.metadata();
        assertThat(m.type()).isEqualTo(ImageType.KUBE_INSTALLER);
        assertThat(m.applications()).extracting(Application::name).containsExactly("flannel", "web");
        assertThat(m.launch()).containsExactly("flannel", "web");
        assertThat(store.config(manifest.config().digest()).config().env()).containsExactly("K8S=1.22");

        write(app, "Kubefile", "FROM kubernetes:v1.22.15\nLAUNCH nothing\n");
        assertThatThrownBy(() -> builder.build(spec(app).build(), BuildListener.NONE))
                .hasMessage("Kubefile:2: LAUNCH names application 'nothing', which no APP, CNI or CSI before it declares (known: flannel)");
        write(app, "Kubefile", "\nFROM kubernetes:v9\n");
        assertThatThrownBy(() -> builder.build(spec(app).build(), BuildListener.NONE))
                .hasMessage("Kubefile:2: base image kubernetes:v9 is not in the local image store; build or pull it first");
    }

    @Test
    void severalPlatformsGiveAnIndexSharingIdenticalLayers() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "amd64/bin/tool", "x86 tool");
        write(ctx, "arm64/bin/tool", "arm tool");
        write(ctx, "app.yaml", "kind: Pod\n");
        write(ctx, "Kubefile", "FROM scratch\nCOPY ${ARCH}/bin bin\nAPP myapp local://app.yaml\nLAUNCH myapp\n");
        ImageStore store = store("store");
        BuiltImage image = new CloudImageBuilder(store)
                .build(BuildSpec.builder(ctx).tag("multi:1").platforms(List.of(AMD64, ARM64)).build(), BuildListener.NONE);

        assertThat(image.descriptor().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        ImageIndex index = store.index(image.descriptor().digest());
        assertThat(index.manifests()).extracting(Descriptor::platform).containsExactly(AMD64, ARM64);
        assertThat(index.annotations()).containsEntry("io.slipway.image.launch", "[\"myapp\"]");
        ImageManifest amd = store.manifest(index.manifestFor(AMD64).orElseThrow().digest());
        ImageManifest arm = store.manifest(index.manifestFor(ARM64).orElseThrow().digest());
        assertThat(entries(store, amd.layers().get(0))).containsEntry("bin/tool", "644 x86 tool");
        assertThat(entries(store, arm.layers().get(0))).containsEntry("bin/tool", "644 arm tool");
        assertThat(arm.layers().get(1)).as("the APP layer does not depend on the platform").isEqualTo(amd.layers().get(1));
        assertThat(store.config(arm.config().digest()).architecture()).isEqualTo("arm64");
    }

    @Test
    void applicationOfUnknownTypeNeedsAppCmds() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "tool/readme.txt", "docs");
        write(ctx, "Kubefile", "FROM scratch\nAPP tool local://tool\n");
        CloudImageBuilder builder = new CloudImageBuilder(store("store"));
        assertThatThrownBy(() -> builder.build(spec(ctx).build(), BuildListener.NONE))
                .hasMessage("Kubefile:2: APP tool: cannot tell how to launch it (not a helm chart, not only YAML files, "
                        + "not only shell scripts); give its commands with APPCMDS tool [\"...\"]");

        write(ctx, "Kubefile", "FROM scratch\nAPP tool local://tool\nAPPCMDS tool [\"cat readme.txt\"]\nLAUNCH tool\n");
        BuiltImage image = builder.build(spec(ctx).build(), BuildListener.NONE);
        assertThat(image.metadata().appCmds()).containsEntry("tool", List.of("cat readme.txt"));
        assertThat(image.metadata().type()).isEqualTo(ImageType.APP_INSTALLER);
    }

    @Test
    void warnsAboutDeprecatedCmdAndUnusedBuildArgs() throws IOException {
        Path ctx = tmp.resolve("ctx");
        write(ctx, "Kubefile", "FROM scratch\nARG USED\nCMD kubectl get nodes\n");
        RecordingListener listener = new RecordingListener();
        BuiltImage image = new CloudImageBuilder(store("store")).build(spec(ctx).buildArg("USED", "1")
                .buildArg("TYPO", "2").build(), listener);
        assertThat(listener.warnings).containsExactly("Kubefile:3: CMD is deprecated; use CMDS [\"command\", ...] or LAUNCH",
                "build arg TYPO was given but no ARG in Kubefile declares it");
        assertThat(image.metadata().cmds()).containsExactly("kubectl get nodes");
    }
}
