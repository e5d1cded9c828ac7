package io.slipway.oci.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.oci.Descriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes sharing one store (two instances of a service on one volume) name images at the same time: every
 * name of both is kept. Without the file lock around index.json's read, change and write, one process's write replaces
 * what the other wrote in between, and names are lost.
 */
class SharedStoreTest {
    private static final int NAMES = 400;

    @Test
    void twoProcessesTaggingOneStoreAtOnceLoseNoName(@TempDir Path dir) throws Exception {
        ImageStore store = ImageStore.open(dir);
        Descriptor blob = store.putBytes("x", "shared".getBytes(StandardCharsets.UTF_8));
        Path ready = dir.resolve("ready");
        Path go = dir.resolve("go");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Tagger.class.getName(), dir.toString(), "other", String.valueOf(NAMES),
                ready.toString(), go.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("other.log").toFile()).start();
        // the other process has opened the store and tagged once (its classes loaded): both tag from now on
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(ready) || !other.isAlive());
        Files.createFile(go);
        for (int i = 0; i < NAMES; i++) {
            store.tag("this/app:" + i, blob);
        }
        assertThat(other.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(other.exitValue()).as(Files.readString(dir.resolve("other.log"))).isZero();

        List<String> names = new ArrayList<>();
        store.images().forEach(i -> names.add(i.name()));
        assertThat(names).hasSize(2 * NAMES + 1);
    }

    /** The other process: tags once, says it is ready, waits for the go file, then tags its names. */
    public static final class Tagger {
        public static void main(String[] args) throws Exception {
            ImageStore store = ImageStore.open(Path.of(args[0]));
            Descriptor blob = store.putBytes("x", "shared".getBytes(StandardCharsets.UTF_8));
            store.tag(args[1] + "/warm:up", blob);
            Files.createFile(Path.of(args[3]));
            Path go = Path.of(args[4]);
            while (!Files.exists(go)) {
                Thread.onSpinWait();
            }
            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                store.tag(args[1] + "/app:" + i, blob);
            }
        }
    }
}
