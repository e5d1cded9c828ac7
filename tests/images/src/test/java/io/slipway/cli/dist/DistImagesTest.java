package io.slipway.cli.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.Slipway;
import io.slipway.cli.stack.ProjectHome;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.BuiltImage;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.cloudimage.offline.RegistryImageCache;
import io.slipway.oci.registry.InsecureRegistries;
import io.slipway.oci.registry.ManifestContent;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.testkit.Needs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway dist images} against a real registry (Debian's distribution 2.8): the six images and their base are
 * built from the packaged services and CLI and pushed; each is read back with the project's registry client and with
 * skopeo, and the gateway image's root file system, unpacked, runs its JRE and the gateway as uid 10001 with nothing
 * of the host's beside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistImagesTest {

    private static final Pattern PUSHED = Pattern.compile(
            "^(\\S+/slipway/(\\S+):(\\S+)) (sha256:[0-9a-f]{64}) \\(pushed (.+) in (\\d+) blobs?; already there (.+) in (\\d+) blobs?;"
                    + " mounted (.+) in (\\d+) blobs?\\)(?: also tagged (\\S+))?$");
    private static final String TAG = "it";
    private static final String SOURCE = "https://example.invalid/slipway.git";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private EmbeddedRegistry registry;
    private RegistryClient client;
    private Path home;
    private String revision;
    private final Map<String, Matcher> pushed = new LinkedHashMap<>();

    @BeforeAll
    void buildAndPushEverything(@TempDir Path tmp) throws Exception {
        dir = tmp;
        Needs.machine(EmbeddedRegistry.available(), "Debian's docker-registry (apt-get install docker-registry)");
        Needs.machine(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo (apt-get install skopeo)");
        Needs.machine(Jlink.current().isPresent(), "a JDK with jlink (this test runs on a JRE)");
        home = ProjectHome.require(null);
        revision = run(home, "git", "rev-parse", "HEAD").strip();
        registry = EmbeddedRegistry.start(dir.resolve("registry"));
        client = RegistryClient.open(RegistryConfig.of(registry.host()).withPlainHttp(true));

        for (String line : dist("--store", dir.resolve("store").toString()).lines().toList()) {
            Matcher m = PUSHED.matcher(line);
            assertThat(m.matches()).as("output line '%s'", line).isTrue();
            pushed.put(m.group(2), m);
        }
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.stop();
        }
    }

    @Test
    void everyImageIsPushedByNameWithItsDigestAndTheBaseLayersAreMountedNotSentAgain() throws Exception {
        assertThat(pushed.keySet()).containsExactly("base", "build-svc", "deploy-svc", "event-svc", "infra-svc",
                "workload-svc", "gateway");
        for (Matcher m : pushed.values()) {
            assertThat(m.group(1)).isEqualTo(registry.host() + "/slipway/" + m.group(2) + ":" + TAG);
            String digest = m.group(4);
            assertThat(client.headManifest("slipway/" + m.group(2), TAG)).get().extracting(d -> d.digest().toString())
                    .isEqualTo(digest);
            // the second tag, the git revision, names the same index
            assertThat(m.group(11)).startsWith(revision.substring(0, 12));
            assertThat(client.headManifest("slipway/" + m.group(2), m.group(11))).get()
                    .extracting(d -> d.digest().toString()).isEqualTo(digest);
            if (!m.group(2).equals("base")) {
                assertThat(m.group(10)).as("base layers mounted into %s", m.group(2)).isEqualTo("2");
            }
        }
    }

    /**
     * Issue 15, item 5: examples/slipway builds Slipway's own CloudImage from the deploy/k8s prod overlay and the images
     * just pushed. The image scan finds every image the manifests name, the build caches each into the CloudImage's
     * registry layer, and that layer, served by a real docker-registry, answers each by its tag with the digest the
     * source registry has: an offline cluster gets exactly what the manifests ask for.
     */
    @Test
    void slipwaysOwnCloudImageCarriesEveryImageItsManifestsName() throws Exception {
        String kubectl = System.getenv().getOrDefault("SLIPWAY_KUBECTL", "kubectl");
        Needs.machine(onPath(kubectl), "kubectl (Debian's kubernetes-client) to render deploy/k8s");
        Path context = dir.resolve("slipway-context");
        run(home, "bash", home.resolve("examples/slipway/prepare.sh").toString(), context.toString(), registry.host(), TAG);
        List<String> named = new ArrayList<>();
        Matcher image = Pattern.compile("(?m)^\\s+image: (\\S+)$").matcher(Files.readString(context.resolve("manifests/slipway.yaml")));
        while (image.find()) {
            named.add(image.group(1));
        }
        assertThat(named).as("the prod overlay's images, from the registry the test pushed to")
                .containsExactlyInAnyOrderElementsOf(ImageRecipe.SERVICES.stream().map(s -> registry.host() + "/slipway/" + s + ":" + TAG).toList());

        ImageStore store = ImageStore.open(dir.resolve("cloudimage-store"));
        BuiltImage built;
        try (Registries registries = Registries.builder().defaults(InsecureRegistries.of(List.of())).build()) {
            built = new CloudImageBuilder(store).withContainerImageCache(new RegistryImageCache(registries))
                    .build(BuildSpec.builder(context).tag("slipway:" + TAG).platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE);
        }
        assertThat(built.unresolved()).as("images the build could not cache").isEmpty();
        assertThat(built.metadata().images()).containsExactlyInAnyOrderElementsOf(named);

        // the last layer of the platform's manifest is the registry layer: serve it as the cluster's registry would
        ImageManifest manifest = store.manifest(built.manifests().getFirst().manifest().digest());
        Path offline = dir.resolve("offline-registry");
        Path unpacked = dir.resolve("offline-layer");
        Files.createDirectories(unpacked);
        run(dir, "tar", "-xf", store.blobPath(manifest.layers().getLast().digest()).toString(), "-C", unpacked.toString());
        Files.createDirectories(offline);
        Files.move(unpacked.resolve("registry"), offline.resolve("storage"));
        try (EmbeddedRegistry served = EmbeddedRegistry.start(offline);
             RegistryClient cluster = RegistryClient.open(RegistryConfig.of(served.host()).withPlainHttp(true))) {
            for (String service : ImageRecipe.SERVICES) {
                String repository = "slipway/" + service;
                assertThat(cluster.headManifest(repository, TAG)).as("%s:%s in the CloudImage's registry", repository, TAG)
                        .get().extracting(d -> d.digest().toString())
                        .isEqualTo(client.headManifest(repository, TAG).orElseThrow().digest().toString());
            }
        }
    }

    private static boolean onPath(String command) {
        return command.contains("/") ? Files.isExecutable(Path.of(command))
                : java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    @Test
    void eachImageIsAnIndexForThisPlatformWhoseConfigRunsAsNonRootOnPort8080WithTheRevision() throws Exception {
        for (String name : ImageRecipe.NAMES) {
            ImageConfig config = config(name);
            ImageConfig.Config c = config.config();
            assertThat(c.user()).as(name).isEqualTo("10001:10001");
            assertThat(c.exposedPorts()).as(name).containsOnlyKeys("8080/tcp");
            assertThat(c.workingDir()).isEqualTo("/app");
            assertThat(c.env()).contains("SLIPWAY_DATA_DIR=/var/lib/slipway");
            assertThat(c.entrypoint()).as(name).startsWith("/opt/java/bin/java").contains("-jar")
                    .endsWith(name.equals("gateway") ? "/app/slipway.jar" : "/app/quarkus-run.jar");
            assertThat(c.cmd()).isEqualTo(name.equals("gateway") ? List.of("gateway") : null);
            assertThat(c.labels()).containsEntry("org.opencontainers.image.revision", revision)
                    .containsEntry("org.opencontainers.image.title", name)
                    .containsEntry("org.opencontainers.image.version", Slipway.VERSION)
                    .containsEntry("org.opencontainers.image.source", SOURCE)
                    .containsEntry("io.slipway.health.readiness", name.equals("gateway") ? "/healthz" : "/q/health/ready")
                    .containsEntry("io.slipway.health.liveness", name.equals("gateway") ? "/livez" : "/q/health/live")
                    .containsEntry("io.slipway.health.probe", "/opt/java/bin/java -jar /opt/slipway/probe.jar http://127.0.0.1:8080"
                            + (name.equals("gateway") ? "/healthz" : "/q/health/ready"));
            assertThat(config.platform()).isEqualTo(Platform.current());
            assertThat(config.rootfs().diffIds()).hasSize(name.equals("gateway") ? 4 : 5);
        }
    }

    @Test
    void skopeoReadsTheSameIndexAndConfig() throws Exception {
        for (String name : ImageRecipe.NAMES) {
            String image = "docker://" + registry.host() + "/slipway/" + name + ":" + TAG;
            JsonNode index = JSON.readTree(run(dir, "skopeo", "inspect", "--tls-verify=false", "--raw", image));
            assertThat(index.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(index.path("manifests")).hasSize(1);
            assertThat(index.path("manifests").get(0).path("platform").path("architecture").asText())
                    .isEqualTo(Platform.current().architecture());
            JsonNode config = JSON.readTree(run(dir, "skopeo", "inspect", "--tls-verify=false", "--config", image)).path("config");
            assertThat(config.path("User").asText()).isEqualTo("10001:10001");
            assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
            assertThat(config.path("Entrypoint").get(0).asText()).isEqualTo("/opt/java/bin/java");
            assertThat(config.path("Labels").path("org.opencontainers.image.revision").asText()).isEqualTo(revision);
        }
    }

    @Test
    void aRebuildGivesTheSameDigestsAndItsPushSendsNothing() throws Exception {
        String again = dist("--store", dir.resolve("store-again").toString(), "--only", "gateway");
        List<Matcher> lines = again.lines().map(PUSHED::matcher).filter(Matcher::matches).toList();
        assertThat(lines).extracting(m -> m.group(2)).containsExactly("base", "gateway");
        for (Matcher m : lines) {
            assertThat(m.group(4)).as(m.group(2)).isEqualTo(pushed.get(m.group(2)).group(4));
            assertThat(m.group(6)).as("blobs uploaded again for %s", m.group(2)).isEqualTo("0");
        }
    }

    @Test
    void theGatewayImageRunsItsJavaAndTheGatewayAsUid10001WithOnlyItsOwnFiles() throws Exception {
        boolean root = "0".equals(run(dir, "id", "-u").strip());
        Needs.machine(root || userNamespaces(), "root or unprivileged user namespaces (to chroot into the unpacked image)");
        Path rootfs = unpack("gateway");

        String settings = inImage(rootfs, root, List.of("/opt/java/bin/java", "-XshowSettings:properties", "-version"));
        assertThat(settings).contains("java.home = /opt/java").contains("user.dir = /");
        if (root) {
            // the name comes from the image's own /etc/passwd: uid 10001 is nobody on this host
            assertThat(settings).contains("user.name = slipway").contains("user.home = /var/lib/slipway");
        }
        assertThat(inImage(rootfs, root, List.of("/opt/java/bin/java", "-jar", "/app/slipway.jar", "--version")).strip())
                .isEqualTo("slipway " + Slipway.VERSION);
        if (root) {
            // docker-compose.yml's `keys` service: uid 10001 makes the JWT key pair in the image's own /keys
            inImage(rootfs, root, List.of("/opt/java/bin/java", "-jar", "/app/slipway.jar", "keys", "init", "--dir", "/keys"));
            assertThat(rootfs.resolve("keys/jwt-public.pem")).isRegularFile();
            assertThat(Files.getAttribute(rootfs.resolve("keys/jwt-private.pem"), "unix:uid")).isEqualTo(10001);
        }

        int port = freePort();
        List<String> gateway = new ArrayList<>(List.of("/opt/java/bin/java", "-jar", "/app/slipway.jar", "gateway",
                "--host", "127.0.0.1", "--port", String.valueOf(port)));
        for (String service : ImageRecipe.SERVICES) {
            gateway.addAll(List.of("--upstream", service + "=http://127.0.0.1:1"));
        }
        Process process = inImageProcess(rootfs, root, gateway, dir.resolve("gateway.log"));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpResponse<String> live = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(base.resolve("/livez")).build(),
                            HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);
            assertThat(live.body()).contains("UP");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"build-svc\":\"DOWN\"");

            // the probe a runtime runs inside the container: 0 for /livez, 1 for /healthz while the services are down
            List<String> probe = List.of("/opt/java/bin/java", "-jar", "/opt/slipway/probe.jar");
            assertThat(inImage(rootfs, root, concat(probe, base.resolve("/livez").toString()))).contains(": 200");
            Process down = inImageProcess(rootfs, root, concat(probe, base.resolve("/healthz").toString()), dir.resolve("probe.log"));
            assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(down.exitValue()).as(Files.readString(dir.resolve("probe.log"))).isEqualTo(1);
        } finally {
            // the gateway itself first: unshare's --kill-child does not reach it, since chroot --userspec changes its
            // credentials, which clears the signal it would get when unshare dies
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyNativeLibraryInsideTheImagesJarsFindsWhatItLoadsInTheBase() throws Exception {
        Path rootfs = unpack("gateway");
        Pattern thisPlatform = Pattern.compile(Platform.current().architecture().equals("amd64")
                ? ".*linux.*(amd64|x86_64|x86-64).*\\.so$" : ".*linux.*(aarch64|arm64).*\\.so$", Pattern.CASE_INSENSITIVE);
        List<Path> jars = new ArrayList<>();
        for (String service : ImageRecipe.SERVICES) {
            try (var list = Files.list(home.resolve("services").resolve(service).resolve("target/quarkus-app/lib/main"))) {
                list.forEach(jars::add);
            }
        }
        try (var list = Files.list(home.resolve("cli/target/lib"))) {
            list.forEach(jars::add);
        }
        Path natives = Files.createDirectories(dir.resolve("natives"));
        List<String> extracted = new ArrayList<>();
        for (Path jar : jars) {
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                for (var entry : java.util.Collections.list(zip.entries())) {
                    String name = entry.getName();
                    // musl builds are for Alpine; the base has glibc, which their loaders never pick
                    if (thisPlatform.matcher(name).matches() && !name.toLowerCase(java.util.Locale.ROOT).contains("musl")) {
                        Path target = natives.resolve(extracted.size() + "-" + Path.of(name).getFileName());
                        try (InputStream in = zip.getInputStream(entry)) {
                            Files.copy(in, target);
                        }
                        extracted.add(target.toString());
                    }
                }
            }
        }
        assertThat(extracted).as("native libraries in the jars").isNotEmpty();
        List<String> ldd = new ArrayList<>(List.of("ldd"));
        ldd.addAll(extracted);
        Pattern resolved = Pattern.compile("^\\s*(\\S+) => (\\S+)");
        List<String> missing = new ArrayList<>();
        for (String line : run(dir, ldd.toArray(String[]::new)).lines().toList()) {
            Matcher m = resolved.matcher(line);
            if (m.find() && !Files.exists(rootfs.resolve(m.group(2).substring(1)))) {
                missing.add(m.group(1) + " (" + m.group(2) + " on this host)");
            }
        }
        assertThat(missing).as("libraries the jars' native code loads that the base image lacks"
                + " (add them to BaseImage.EXTRA_LIBRARIES)").isEmpty();
    }

    private String dist(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("dist", "images", "--registry", registry.host(), "--insecure", "--tag", TAG,
                "--home", home.toString(), "--source-url", SOURCE));
        args.addAll(List.of(extra));
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Slipway.commandLine().execute(args.toArray(String[]::new))).isZero();
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private ImageManifest manifest(String name) throws IOException {
        ManifestContent top = client.getManifest("slipway/" + name, TAG);
        assertThat(top.isIndex()).isTrue();
        ImageIndex index = Json.read(top.bytes(), ImageIndex.class);
        assertThat(index.manifests()).hasSize(1);
        Descriptor child = index.manifestFor(Platform.current()).orElseThrow();
        return Json.read(client.getManifest("slipway/" + name, child.digest().toString()).bytes(), ImageManifest.class);
    }

    private ImageConfig config(String name) throws IOException {
        Path file = dir.resolve("config-" + name + ".json");
        client.downloadBlob("slipway/" + name, manifest(name).config(), file, n -> { });
        return Json.read(Files.readAllBytes(file), ImageConfig.class);
    }

    /** The image's layers unpacked in order, owners kept when running as root (tar as a user makes them its own). */
    private Path unpack(String name) throws Exception {
        Path rootfs = dir.resolve("rootfs-" + name);
        if (Files.isDirectory(rootfs)) {
            return rootfs;
        }
        Files.createDirectories(rootfs);
        int i = 0;
        for (Descriptor layer : manifest(name).layers()) {
            Path blob = dir.resolve("layer-" + name + "-" + i++ + ".tar.gz");
            client.downloadBlob("slipway/" + name, layer, blob, n -> { });
            run(dir, "tar", "-xzf", blob.toString(), "-C", rootfs.toString(), "--numeric-owner");
            Files.delete(blob);
        }
        return rootfs;
    }

    /**
     * {@code command} with {@code rootfs} as its root and /proc of its own (the loader resolves the JRE's $ORIGIN through
     * it, as a container runtime provides it): as root under uid 10001 (chroot --userspec), otherwise as the mapped root
     * of a user namespace.
     */
    private static List<String> chrooted(Path rootfs, boolean root, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child"));
        if (!root) {
            cmd.addAll(List.of("--user", "--map-root-user"));
        }
        cmd.addAll(List.of("sh", "-c", "mount -t proc proc \"$1/proc\" && shift && exec chroot \"$@\"", "slipway-image",
                rootfs.toString()));
        if (root) {
            cmd.add("--userspec=10001:10001");
        }
        cmd.add(rootfs.toString());
        cmd.addAll(command);
        return cmd;
    }

    private String inImage(Path rootfs, boolean root, List<String> command) throws Exception {
        return run(dir, chrooted(rootfs, root, command).toArray(String[]::new));
    }

    private static Process inImageProcess(Path rootfs, boolean root, List<String> command, Path log) throws IOException {
        return new ProcessBuilder(chrooted(rootfs, root, command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static List<String> concat(List<String> command, String argument) {
        List<String> all = new ArrayList<>(command);
        all.add(argument);
        return all;
    }

    private static boolean userNamespaces() {
        try {
            return new ProcessBuilder("unshare", "--user", "--map-root-user", "true").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs a command to its end and returns its output (stdout and stderr); fails the test when it fails. */
    private static String run(Path workDir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
