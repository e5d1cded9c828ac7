package io.slipway.cloudimage.build;

import io.slipway.cloudimage.kubefile.KubefileException;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.slipway.cloudimage.build.ContextFiles.entries;
import static io.slipway.cloudimage.build.ContextFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** RUN is an operator's code: it sees the image and the context, not the build host, its network or its processes. */
class RunSandboxTest {

    @TempDir
    Path tmp;

    private Map<String, String> built(Path ctx, String kubefile) throws IOException {
        write(ctx, "Kubefile", kubefile);
        ImageStore store = ImageStore.open(tmp.resolve("store-" + UUID.randomUUID()));
        BuiltImage image = new CloudImageBuilder(store).build(BuildSpec.builder(ctx).platform(Platform.parse("linux/amd64")).build(),
                BuildListener.NONE);
        ImageManifest manifest = store.manifest(image.descriptor().digest());
        return entries(store, manifest.layers().get(manifest.layers().size() - 1));
    }

    private void fails(Path ctx, String kubefile, String message) {
        assertThatThrownBy(() -> built(ctx, kubefile)).isInstanceOf(KubefileException.class).hasMessageContaining(message);
    }

    @Test
    void aRunSeesTheImageAndTheContextButNoHostFile() throws IOException {
        // a file like the JWT signing key: on the build host, outside the context and the image
        Path secret = write(tmp, "keys/jwt-private.pem", "-----BEGIN PRIVATE KEY-----");
        Path ctx = tmp.resolve("ctx");
        write(ctx, "in-context.txt", "from the context");
        fails(ctx, "FROM scratch\nRUN cat " + secret + " > leaked.txt\n", "RUN failed with exit code");

        Map<String, String> layer = built(ctx, "FROM scratch\nRUN ls / > root.txt && cat /context/in-context.txt > copied.txt"
                + " && (cat /proc/1/cmdline | tr '\\0' ' ' > pid1.txt) && (ls /etc > etc.txt)\n");
        assertThat(layer.get("root.txt")).isEqualTo("644 bin\ncontext\ndev\netc\nlib\nlib64\nproc\nrootfs\nsbin\ntmp\nusr\n"
                .replace("lib64\n", Files.exists(Path.of("/lib64")) ? "lib64\n" : ""));
        assertThat(layer.get("copied.txt")).isEqualTo("644 from the context");
        assertThat(layer.get("pid1.txt")).as("the RUN is the first process of its own PID namespace").startsWith("644 /bin/sh -c ls /");
        assertThat(layer.get("etc.txt")).doesNotContain("shadow").doesNotContain("ssh").contains("passwd");

        fails(ctx, "FROM scratch\nRUN echo x > /context/written.txt\n", "RUN failed with exit code");
        assertThat(ctx.resolve("written.txt")).doesNotExist();
    }

    @Test
    void aRunRunsUnprivilegedWithAFixedPathAndNoLoaderVariables() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Map<String, String> layer = built(ctx, "FROM scratch\nENV PATH=/evil LD_PRELOAD=/evil.so KEPT=yes\n"
                + "RUN echo \"$PATH|$LD_PRELOAD|$KEPT|$SLIPWAY_ROOTFS\" > env.txt && id -u > uid.txt && (grep CapEff /proc/self/status > caps.txt)\n");
        assertThat(layer.get("env.txt")).isEqualTo("644 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin||yes|/rootfs\n");
        assertThat(layer.get("caps.txt")).isEqualTo("644 CapEff:\t0000000000000000\n");
        if (RunCommand.uid() == 0) {
            assertThat(layer.get("uid.txt")).as("a root builder runs RUN as nobody").isEqualTo("644 " + RunCommand.SANDBOX_UID + "\n");
        }
    }

    @Test
    void aRunHasNoNetworkUnlessItAsksForTheHosts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    return null;
                }
            });
            Path ctx = tmp.resolve("ctx");
            String connect = "bash -c 'echo hello > /dev/tcp/127.0.0.1/" + server.getLocalPort() + "'";
            fails(ctx, "FROM scratch\nRUN " + connect + "\n", "RUN failed with exit code");
            assertThat(accepted).as("the host's loopback is not the RUN's").isNotDone();

            built(ctx, "FROM scratch\nRUN --network=host " + connect + " && echo sent > sent.txt\n");
            try (Socket s = accepted.get(30, TimeUnit.SECONDS)) {
                assertThat(s).isNotNull();
            }
        }
    }

    @Test
    void noProcessOutlivesItsRunEvenWhenDetached() throws IOException {
        String marker = "7777." + (System.nanoTime() % 1000);
        Path ctx = tmp.resolve("ctx");
        built(ctx, "FROM scratch\nRUN (setsid sleep " + marker + " > /dev/null 2>&1 &) ; (nohup sleep " + marker
                + " > /dev/null 2>&1 &) ; echo left > left.txt\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker)).toList()).isEmpty());
    }
}
