package io.slipway.bench;

import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.BuildStep;
import io.slipway.cloudimage.build.BuiltImage;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.cloudimage.layer.Compression;
import io.slipway.oci.Descriptor;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The build benchmarks (bench/build-throughput, bench/build-rebuild): a ~500 MB context of mixed files built into a
 * CloudImage, beside {@code tar -c | sha256sum} of the same tree in the same run (throughput), or a rebuild with
 * nothing changed beside the first build (rebuild). Last line: ratio=...
 */
public final class BuildBench {
    private static final String KUBEFILE = """
            FROM scratch
            COPY small small
            COPY medium medium
            COPY large large
            """;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "throughput";
        long targetMb = Long.getLong("bench.mb", 500);
        int rounds = Integer.getInteger("bench.rounds", 3);
        Path root = Files.createTempDirectory("slipway-build-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
        Path context = root.resolve("context");
        long bytes = makeContext(context, targetMb << 20);
        System.out.printf("context: %s, %d files, %.1f MB%n", context, countFiles(context), bytes / 1e6);
        if (mode.equals("rebuild")) {
            rebuild(root, context, rounds);
        } else {
            throughput(root, context, bytes, rounds);
        }
    }

    private static void throughput(Path root, Path context, long bytes, int rounds) throws Exception {
        timeTar(context); // warm the page cache for both contenders
        List<Double> tar = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        long layerBytes = 0;
        for (int i = 0; i < rounds; i++) {
            boolean tarFirst = i % 2 == 0;
            if (tarFirst) {
                tar.add(timeTar(context));
            }
            Path storeDir = root.resolve("store-" + i);
            long[] size = new long[1];
            ours.add(timeBuild(storeDir, context, Compression.NONE, size));
            layerBytes = size[0];
            deleteQuietly(storeDir);
            if (!tarFirst) {
                tar.add(timeTar(context));
            }
        }
        double tarS = median(tar);
        double oursS = median(ours);
        double tarRate = bytes / 1e6 / tarS;
        double oursRate = bytes / 1e6 / oursS;
        System.out.printf("tar -c | sha256sum : %.2f s  %.0f MB/s  (runs %s)%n", tarS, tarRate, fmt(tar));
        System.out.printf("slipway build      : %.2f s  %.0f MB/s  (runs %s)  layers %.1f MB uncompressed (default)%n",
                oursS, oursRate, fmt(ours), layerBytes / 1e6);
        long[] gzSize = new long[1];
        double gz = timeBuild(root.resolve("store-gzip"), context, Compression.GZIP, gzSize);
        System.out.printf("slipway build gzip : %.2f s  %.0f MB/s  layers %.1f MB (the trade: %.0f%% of the size, %.1fx the time)%n",
                gz, bytes / 1e6 / gz, gzSize[0] / 1e6, 100.0 * gzSize[0] / layerBytes, gz / oursS);
        System.out.printf("ratio=%.3f%n", oursRate / tarRate);
    }

    private static void rebuild(Path root, Path context, int rounds) throws Exception {
        List<Double> first = new ArrayList<>();
        List<Double> again = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Path storeDir = root.resolve("store-" + i);
            long[] size = new long[1];
            first.add(timeBuild(storeDir, context, Compression.NONE, size));
            again.add(timeRebuild(storeDir, context));
            deleteQuietly(storeDir);
        }
        double f = median(first);
        double r = median(again);
        System.out.printf("first build           : %.3f s (runs %s)%n", f, fmt(first));
        System.out.printf("rebuild, no change    : %.3f s (runs %s), every layer from the cache%n", r, fmt(again));
        System.out.printf("ratio=%.4f%n", r / f);
    }

    private static double timeBuild(Path storeDir, Path context, Compression compression, long[] layerBytes) throws IOException {
        ImageStore store = ImageStore.open(storeDir);
        CloudImageBuilder builder = new CloudImageBuilder(store);
        AtomicLong size = new AtomicLong();
        long start = System.nanoTime();
        BuiltImage image = builder.build(spec(context, compression, true), new BuildListener() {
            @Override
            public void layerBuilt(BuildStep step, Descriptor layer, boolean fromCache) {
                size.addAndGet(layer.size());
            }
        });
        double s = (System.nanoTime() - start) / 1e9;
        layerBytes[0] = size.get();
        System.out.printf("  build %s -> %s in %.2f s%n", compression, image.descriptor().digest().shortHex(), s);
        return s;
    }

    private static double timeRebuild(Path storeDir, Path context) throws IOException {
        CloudImageBuilder builder = new CloudImageBuilder(ImageStore.open(storeDir));
        AtomicLong built = new AtomicLong();
        long start = System.nanoTime();
        builder.build(spec(context, Compression.NONE, false), new BuildListener() {
            @Override
            public void layerBuilt(BuildStep step, Descriptor layer, boolean fromCache) {
                if (!fromCache) {
                    built.incrementAndGet();
                }
            }
        });
        double s = (System.nanoTime() - start) / 1e9;
        if (built.get() != 0) {
            throw new IllegalStateException("a rebuild with nothing changed rebuilt " + built.get() + " layer(s)");
        }
        return s;
    }

    private static BuildSpec spec(Path context, Compression compression, boolean noCache) {
        return BuildSpec.builder(context).kubefile(context.resolve("Kubefile")).tag("bench/build:v1").compression(compression)
                .noCache(noCache).build();
    }

    private static double timeTar(Path context) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", "tar -C \"$1\" -cf - . | sha256sum", "tar", context.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("tar | sha256sum failed");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Mixed files: many small (config-like), some medium (charts, binaries), a few large (image archives). */
    private static long makeContext(Path context, long target) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        Files.createDirectories(context);
        Files.writeString(context.resolve("Kubefile"), KUBEFILE);
        long written = 0;
        written += fill(context.resolve("small"), random, target / 10, 1 << 10, 64 << 10, true);
        written += fill(context.resolve("medium"), random, target * 4 / 10, 256 << 10, 4 << 20, true);
        written += fill(context.resolve("large"), random, target / 2, 50 << 20, 100 << 20, false);
        return written;
    }

    /** Text-like (compressible, as manifests and charts are) or random (as compressed image archives are) content. */
    private static long fill(Path dir, SplittableRandom random, long budget, int min, int max, boolean text) throws IOException {
        long written = 0;
        byte[] block = new byte[1 << 20];
        String[] words = {"apiVersion: ", "kind: ", "metadata:\n", "  name: ", "spec:\n", "  replicas: 3\n", "image: ",
                "etcd", "registry.local/", "containers:\n", "- name: ", "value: ", "true\n", "false\n", "port: 2379\n"};
        for (int i = 0; written < budget; i++) {
            Path file = dir.resolve("d" + (i % 16)).resolve("f" + i + ".bin");
            Files.createDirectories(file.getParent());
            long size = Math.min(budget - written, random.nextInt(min, max + 1));
            try (OutputStream out = Files.newOutputStream(file)) {
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(left, block.length);
                    if (text) {
                        for (int b = 0; b < n; ) {
                            byte[] w = words[random.nextInt(words.length)].getBytes();
                            for (int k = 0; k < w.length && b < n; k++) {
                                block[b++] = w[k];
                            }
                        }
                    } else {
                        random.nextBytes(block);
                    }
                    out.write(block, 0, n);
                    left -= n;
                }
            }
            written += size;
        }
        return written;
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String fmt(List<Double> values) {
        return values.stream().map(v -> String.format("%.2f", v)).toList().toString();
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
