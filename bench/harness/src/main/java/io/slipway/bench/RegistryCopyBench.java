package io.slipway.bench;

import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.registry.TransferResult;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The registry copy benchmark (run {@code bench/registry-copy}): an image of a few hundred MB (random gzip layers in an
 * {@link ImageStore}) pushed to and pulled back from a local registry ({@link EmbeddedRegistry}, Debian's
 * distribution 2.8) by our client, beside {@code skopeo copy} of the same image between the same places
 * ({@code oci:} layout to {@code docker://} and back), in the same run. Rounds alternate which goes first; each
 * figure is the median of its rounds. Last line: {@code ratio=<skopeo time / ours>}.
 *
 * <p>Tuning by system properties: {@code bench.layers} (6), {@code bench.layerMb} (50), {@code bench.rounds} (3),
 * {@code bench.concurrency} (6, skopeo's default parallel transfers).
 */
public final class RegistryCopyBench {

    private static final int LAYERS = Integer.getInteger("bench.layers", 6);
    private static final int LAYER_MB = Integer.getInteger("bench.layerMb", 50);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 6);
    private static final String SKOPEO = "/usr/bin/skopeo";
    private static final String NAME = "bench";

    private RegistryCopyBench() {
    }

    public static void main(String[] args) throws Exception {
        if (!Files.isExecutable(Path.of(SKOPEO))) {
            throw new IllegalStateException(SKOPEO + " is missing: install the Debian package skopeo");
        }
        Path dir = Files.createTempDirectory("slipway-registry-copy-");
        Thread cleanup = new Thread(() -> deleteQuietly(dir), "registry-copy-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ImageStore store = ImageStore.open(dir.resolve("store"));
            long started = System.nanoTime();
            Descriptor image = buildImage(store);
            long bytes = 0;
            for (Digest d : store.reachableFrom(image)) {
                bytes += store.blobSize(d);
            }
            System.err.printf(Locale.ROOT, "[bench] image of %d layers, %.1f MB, built in %.1f s%n", LAYERS,
                    bytes / 1e6, (System.nanoTime() - started) / 1e9);

            warmUp(dir);
            List<double[]> ours = new ArrayList<>();
            List<double[]> skopeo = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                boolean oursFirst = round % 2 == 1;
                if (oursFirst) {
                    ours.add(ours(store, image, dir, round));
                    skopeo.add(skopeo(store, dir, round));
                } else {
                    skopeo.add(skopeo(store, dir, round));
                    ours.add(ours(store, image, dir, round));
                }
                System.err.printf(Locale.ROOT, "[bench] round %d: ours push %.2f s pull %.2f s, skopeo push %.2f s pull %.2f s%n",
                        round, ours.getLast()[0], ours.getLast()[1], skopeo.getLast()[0], skopeo.getLast()[1]);
            }
            double oursPush = median(ours, 0);
            double oursPull = median(ours, 1);
            double oursTotal = median(ours, 2);
            double skopeoPush = median(skopeo, 0);
            double skopeoPull = median(skopeo, 1);
            double skopeoTotal = median(skopeo, 2);
            double mb = bytes / 1e6;
            System.out.printf(Locale.ROOT, "image                 %d layers, %.1f MB (gzip, random content)%n", LAYERS, mb);
            System.out.printf(Locale.ROOT, "ours   push           %.2f s  (%.0f MB/s)%n", oursPush, mb / oursPush);
            System.out.printf(Locale.ROOT, "ours   pull           %.2f s  (%.0f MB/s)%n", oursPull, mb / oursPull);
            System.out.printf(Locale.ROOT, "ours   push + pull    %.2f s  (median of %d rounds)%n", oursTotal, ROUNDS);
            System.out.printf(Locale.ROOT, "skopeo push           %.2f s  (%.0f MB/s)%n", skopeoPush, mb / skopeoPush);
            System.out.printf(Locale.ROOT, "skopeo pull           %.2f s  (%.0f MB/s)%n", skopeoPull, mb / skopeoPull);
            System.out.printf(Locale.ROOT, "skopeo push + pull    %.2f s  (median of %d rounds)%n", skopeoTotal, ROUNDS);
            System.out.printf(Locale.ROOT, "ratio=%.3f%n", skopeoTotal / oursTotal);
        } finally {
            deleteQuietly(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook runs anyway
            }
        }
    }

    /**
     * A fresh, empty registry for one tool's round: skopeo remembers where it has seen blobs (its blob info cache) and
     * mounts them instead of uploading, so a registry it has pushed to before would measure a mount, not a copy.
     */
    private static EmbeddedRegistry freshRegistry(Path dir, String name) {
        return EmbeddedRegistry.start(dir.resolve("registry-" + name));
    }

    /** Push to a fresh repository, then pull into a fresh store; checks the digests came back unchanged. */
    private static double[] ours(ImageStore store, Descriptor image, Path dir, int round) throws IOException {
        EmbeddedRegistry registry = freshRegistry(dir, "ours-" + round);
        try (Registries registries = Registries.of(RegistryConfig.of(registry.host()).withPlainHttp(true))) {
            return ours(new ImageTransfer(registries, CONCURRENCY), store, image, registry, dir, round);
        } finally {
            registry.stop();
            deleteQuietly(registry.dataDir());
        }
    }

    private static double[] ours(ImageTransfer transfer, ImageStore store, Descriptor image, EmbeddedRegistry registry,
                                 Path dir, int round) throws IOException {
        Reference ref = Reference.parse(registry.host() + "/ours/round" + round + ":1");
        long t0 = System.nanoTime();
        TransferResult pushed = transfer.push(store, NAME, ref, TransferListener.NONE);
        long t1 = System.nanoTime();
        ImageStore back = ImageStore.open(dir.resolve("ours-pull-" + round));
        TransferResult pulled = transfer.pull(ref, back, NAME, java.util.Set.of(), TransferListener.NONE);
        long t2 = System.nanoTime();
        if (!pulled.root().digest().equals(image.digest()) || pushed.bytesTransferred() != pulled.bytesTransferred()) {
            throw new IllegalStateException("round trip changed the image: " + image.digest() + " -> " + pulled.root().digest());
        }
        deleteQuietly(back.root());
        return new double[]{(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9};
    }

    private static double[] skopeo(ImageStore store, Path dir, int round) throws Exception {
        EmbeddedRegistry registry = freshRegistry(dir, "skopeo-" + round);
        try {
            return skopeo(registry, store, dir, round);
        } finally {
            registry.stop();
            deleteQuietly(registry.dataDir());
        }
    }

    private static double[] skopeo(EmbeddedRegistry registry, ImageStore store, Path dir, int round) throws Exception {
        String remote = "docker://" + registry.host() + "/skopeo/round" + round + ":1";
        Path back = dir.resolve("skopeo-pull-" + round);
        long t0 = System.nanoTime();
        run(SKOPEO, "copy", "--quiet", "--dest-tls-verify=false", "oci:" + store.root() + ":" + NAME, remote);
        long t1 = System.nanoTime();
        run(SKOPEO, "copy", "--quiet", "--src-tls-verify=false", remote, "oci:" + back + ":" + NAME);
        long t2 = System.nanoTime();
        deleteQuietly(back);
        return new double[]{(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9};
    }

    /** The JIT, the HTTP client's first connections and skopeo's first start, on a small image in a registry of its own. */
    private static void warmUp(Path dir) throws Exception {
        EmbeddedRegistry registry = freshRegistry(dir, "warm");
        try (Registries registries = Registries.of(RegistryConfig.of(registry.host()).withPlainHttp(true))) {
            warmUp(new ImageTransfer(registries, CONCURRENCY), registry, dir);
        } finally {
            registry.stop();
        }
    }

    private static void warmUp(ImageTransfer transfer, EmbeddedRegistry registry, Path dir) throws Exception {
        ImageStore small = ImageStore.open(dir.resolve("warm"));
        List<Descriptor> layers = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 4; i++) {
            layers.add(layer(small, random, 2 << 20));
        }
        Descriptor image = manifest(small, layers);
        small.tag(NAME, image);
        for (int i = 0; i < 3; i++) {
            Reference ref = Reference.parse(registry.host() + "/warm/w" + i + ":1");
            transfer.push(small, NAME, ref, TransferListener.NONE);
            transfer.pull(ref, ImageStore.open(dir.resolve("warm-pull-" + i)), NAME, java.util.Set.of(), TransferListener.NONE);
        }
        run(SKOPEO, "copy", "--quiet", "--dest-tls-verify=false", "oci:" + small.root() + ":" + NAME,
                "docker://" + registry.host() + "/warm/skopeo:1");
    }

    private static Descriptor buildImage(ImageStore store) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            layers.add(layer(store, random, (long) LAYER_MB << 20));
        }
        Descriptor image = manifest(store, layers);
        store.tag(NAME, image);
        return image;
    }

    /**
     * A gzip layer of random bytes, stored (not deflated: random data does not compress and deflating it would only
     * make the benchmark slow to set up). Real gzip, so skopeo recognizes it and copies it as it is.
     */
    private static Descriptor layer(ImageStore store, SplittableRandom random, long size) throws IOException {
        Path part = store.newTempFile();
        try {
            var digesting = new io.slipway.oci.DigestingOutputStream(Files.newOutputStream(part));
            try (OutputStream gz = new GZIPOutputStream(digesting, 1 << 20) {
                {
                    def.setLevel(Deflater.NO_COMPRESSION);
                }
            }) {
                byte[] buffer = new byte[1 << 20];
                for (long written = 0; written < size; written += buffer.length) {
                    random.nextBytes(buffer);
                    gz.write(buffer, 0, (int) Math.min(buffer.length, size - written));
                }
            }
            return store.putBlob(MediaTypes.OCI_LAYER_GZIP, part, digesting.digest(), digesting.size());
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static Descriptor manifest(ImageStore store, List<Descriptor> layers) throws IOException {
        // diff_ids should be the uncompressed digests; nothing here unpacks layers, so the compressed ones stand in
        ImageConfig config = new ImageConfig("amd64", "linux", null, null,
                ImageConfig.RootFs.layers(layers.stream().map(Descriptor::digest).toList()), null, null);
        Descriptor configBlob = store.putJson(MediaTypes.OCI_CONFIG, config);
        return store.putJson(MediaTypes.OCI_MANIFEST, ImageManifest.oci(configBlob, layers, Map.of()));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(output));
        }
    }

    private static double median(List<double[]> rounds, int column) {
        double[] values = rounds.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a temporary directory
        }
    }
}
