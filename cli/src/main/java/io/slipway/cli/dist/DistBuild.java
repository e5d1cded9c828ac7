package io.slipway.cli.dist;

import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Builds Slipway's images into a local image store (an OCI layout): the base image from its recipe ({@link BaseImage}),
 * then each requested image on top of it. Every image is an index naming its platform, so a registry and a container
 * engine see them as multi-platform images; the platform is the JDK's, since its JRE and the host's libraries go in.
 */
final class DistBuild {

    /** The base image's name in the store and, below the registry's {@code slipway/}, in the registry. */
    static final String BASE = "base";

    /**
     * What the images record about where they come from.
     *
     * @param version   the project version ({@code org.opencontainers.image.version})
     * @param source    the git commit and whether the tree was clean
     * @param sourceUrl the repository's URL ({@code org.opencontainers.image.source}); null when unknown
     */
    record Provenance(String version, SourceRevision source, String sourceUrl) {
    }

    /** An image in the store: its name ({@code build-svc}, {@code base}, ...), the index and the one platform manifest. */
    record Built(String name, Descriptor index, Descriptor manifest) {
    }

    private record BaseLayers(List<LayerTar.Layer> layers, List<ImageConfig.History> history) {
    }

    private final ImageStore store;
    private final Path jdk;
    private final Path cacheDir;
    private final Provenance provenance;
    private final PrintStream log;
    private final Platform platform;
    private BaseLayers base;

    DistBuild(ImageStore store, Path jdk, Path cacheDir, Provenance provenance, PrintStream log) {
        this.store = store;
        this.jdk = jdk;
        this.cacheDir = cacheDir;
        this.provenance = provenance;
        this.log = log;
        this.platform = platformOf(jdk);
    }

    Platform platform() {
        return platform;
    }

    /** The base image: a JRE linked from the JDK, the libraries it loads and the files of a non-root system. */
    Built base() throws IOException {
        long start = System.nanoTime();
        Path runtime = Jlink.runtime(jdk, BaseImage.MODULES, cacheDir);
        LayerTar.Layer system = LayerTar.write(store, BaseImage.system(runtime, Path.of("/")), 6);
        LayerTar.Layer jre = LayerTar.write(store, BaseImage.jre(runtime), 1);
        base = new BaseLayers(List.of(system, jre), List.of(
                new ImageConfig.History("slipway base: libraries of the JRE (ldd), /etc/passwd with uid "
                        + BaseImage.USER_ID + ", /tmp, " + BaseImage.DATA_DIR, null),
                new ImageConfig.History("slipway base: jlink --add-modules " + String.join(",", BaseImage.MODULES)
                        + " (" + Jlink.release(jdk).getProperty("IMPLEMENTOR", "?") + " "
                        + Jlink.release(jdk).getProperty("JAVA_VERSION", "?") + ")", null)));
        ImageConfig.Config config = config(BASE, "Slipway base image: a jlinked JRE and the libraries it needs, non-root",
                List.of(BaseImage.JAVA), List.of("-version"), Map.of());
        Built built = assemble(BASE, base.layers(), base.history(), config);
        log.printf("built %s (%s, %d layers) in %d ms%n", BASE, platform, base.layers().size(), millis(start));
        return built;
    }

    /** One of {@link ImageRecipe#NAMES}, on the base image (built first by {@link #base()}). */
    Built image(ImageRecipe recipe) throws IOException {
        if (base == null) {
            throw new IllegalStateException("build the base image first");
        }
        long start = System.nanoTime();
        List<LayerTar.Layer> layers = new ArrayList<>(base.layers());
        List<ImageConfig.History> history = new ArrayList<>(base.history());
        for (ImageRecipe.Layer layer : recipe.layers()) {
            LayerContent content = new LayerContent();
            layer.source().addTo(content);
            layers.add(LayerTar.write(store, content, layer.gzipLevel()));
            history.add(new ImageConfig.History("slipway " + recipe.name() + ": " + layer.name(), null));
        }
        Built built = assemble(recipe.name(), layers, history,
                config(recipe.name(), recipe.description(), recipe.entrypoint(), recipe.cmd(), recipe.healthLabels()));
        log.printf("built %s (%d layers) in %d ms%n", recipe.name(), layers.size(), millis(start));
        return built;
    }

    /** The store's name of an image. */
    String localName(String name) {
        return "slipway/" + name + ":" + provenance.version();
    }

    private ImageConfig.Config config(String name, String description, List<String> entrypoint, List<String> cmd,
                                      Map<String, String> extraLabels) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", name);
        labels.put("org.opencontainers.image.description", description);
        labels.put("org.opencontainers.image.version", provenance.version());
        labels.put("org.opencontainers.image.revision", provenance.source().revision());
        if (provenance.sourceUrl() != null) {
            labels.put("org.opencontainers.image.source", provenance.sourceUrl());
        }
        labels.put("io.slipway.source.dirty", String.valueOf(provenance.source().dirty()));
        labels.putAll(extraLabels);
        List<String> env = List.of("PATH=" + BaseImage.JAVA_HOME + "/bin:/usr/bin:/bin", "JAVA_HOME=" + BaseImage.JAVA_HOME,
                "LANG=C.UTF-8", "HOME=" + BaseImage.DATA_DIR, "SLIPWAY_DATA_DIR=" + BaseImage.DATA_DIR);
        String user = BaseImage.USER_ID + ":" + BaseImage.USER_ID;
        return new ImageConfig.Config(env, cmd, labels, BaseImage.APP_DIR, user, entrypoint,
                Map.of(ImageRecipe.PORT + "/tcp", Map.of()));
    }

    /** Config, manifest and a one-platform index into the store, named last. */
    private Built assemble(String name, List<LayerTar.Layer> layers, List<ImageConfig.History> history,
                           ImageConfig.Config runtime) throws IOException {
        ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), platform.variant(), runtime,
                ImageConfig.RootFs.layers(layers.stream().map(LayerTar.Layer::diffId).toList()), history, null);
        Descriptor configBlob = store.putJson(MediaTypes.OCI_CONFIG, config);
        Descriptor manifest = store.putJson(MediaTypes.OCI_MANIFEST,
                ImageManifest.oci(configBlob, layers.stream().map(LayerTar.Layer::blob).toList(), Map.of()));
        Descriptor index = store.putJson(MediaTypes.OCI_INDEX, ImageIndex.oci(List.of(manifest.withPlatform(platform)), Map.of()));
        store.tag(localName(name), index);
        return new Built(name, index, manifest);
    }

    /**
     * The JDK's platform from its {@code release} file. Only this host's platform can be built: the libraries the JRE
     * loads are found by running the host's loader (ldd) and copied from the host.
     */
    static Platform platformOf(Path jdk) {
        Properties release = Jlink.release(jdk);
        String arch = switch (release.getProperty("OS_ARCH", "")) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> release.getProperty("OS_ARCH", "unknown");
        };
        Platform of = new Platform(release.getProperty("OS_NAME", "linux").toLowerCase(java.util.Locale.ROOT), arch, null);
        Platform host = Platform.current();
        if (!of.matches(host)) {
            throw new IllegalArgumentException("the JDK " + jdk + " is for " + of + ", this host is " + host
                    + ": the base image copies the host's libraries, so build an image for " + of + " on such a host");
        }
        return of;
    }

    private static long millis(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
