package io.slipway.cloudimage.build;

import com.sun.net.httpserver.HttpServer;
import io.slipway.cloudimage.kubefile.KubefileException;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import io.slipway.outbound.OutboundPolicy;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static io.slipway.cloudimage.build.ContextFiles.entries;
import static io.slipway.cloudimage.build.ContextFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ADD fetches http(s) sources (from a loopback server here) and unpacks local tar archives. */
class AddTest {

    @TempDir
    Path tmp;
    private HttpServer server;
    /** The same files on another loopback address, where redirects send the client. */
    private HttpServer elsewhere;
    private String base;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private ImageStore store;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        com.sun.net.httpserver.HttpHandler files = exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String name = exchange.getRequestURI().getPath().substring("/files/".length());
            if (name.equals("missing.yaml")) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = ("served " + name + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
        server.createContext("/files/", files);
        elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 0);
        elsewhere.createContext("/files/", files);
        elsewhere.start();
        server.createContext("/moved/", exchange -> {
            // /moved/<host>/<name> sends the client to the second server, at <host>
            String[] parts = exchange.getRequestURI().getPath().split("/");
            exchange.getResponseHeaders().add("Location", "http://" + parts[2] + ":" + elsewhere.getAddress().getPort() + "/files/" + parts[3]);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/";
        store = ImageStore.open(tmp.resolve("store"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        elsewhere.stop(0);
    }

    private ImageManifest build(Path ctx, String kubefile) throws IOException {
        return build(ctx, kubefile, OutboundPolicy.allowing("loopback"));
    }

    private ImageManifest build(Path ctx, String kubefile, OutboundPolicy outbound) throws IOException {
        write(ctx, "Kubefile", kubefile);
        BuiltImage image = new CloudImageBuilder(store).withOutboundPolicy(outbound)
                .build(BuildSpec.builder(ctx).platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE);
        return store.manifest(image.descriptor().digest());
    }

    @Test
    void fetchesUrlsIntoDirectoriesOrUnderTheirOwnName() throws IOException {
        Path ctx = tmp.resolve("ctx");
        ImageManifest m = build(ctx, "FROM scratch\nADD " + base + "a.yaml " + base + "b.yaml manifests/\n"
                + "ADD " + base + "tool.sh /bin/renamed.sh\nAPP remote " + base + "remote.yaml\n");
        assertThat(entries(store, m.layers().get(0))).containsExactly(
                Map.entry("manifests/", "dir 755"),
                Map.entry("manifests/a.yaml", "644 served a.yaml\n"),
                Map.entry("manifests/b.yaml", "644 served b.yaml\n"));
        assertThat(entries(store, m.layers().get(1))).containsExactly(
                Map.entry("bin/", "dir 755"), Map.entry("bin/renamed.sh", "644 served tool.sh\n"));
        assertThat(entries(store, m.layers().get(2))).containsEntry("application/apps/remote/remote.yaml", "644 served remote.yaml\n");
    }

    @Test
    void failedDownloadsNameTheLineButNeverTheCredentials() {
        Path ctx = tmp.resolve("ctx");
        String withCredentials = base.replace("http://", "http://deploy:s3cret@");
        assertThatThrownBy(() -> build(ctx, "FROM scratch\n\nADD " + withCredentials + "missing.yaml x\n"))
                .isInstanceOf(KubefileException.class)
                .hasMessage("Kubefile:3: ADD download of " + base.replace("http://", "http://***@")
                        + "missing.yaml answered HTTP 404")
                .message().doesNotContain("s3cret");
        assertThat(authorizations).contains("Basic ZGVwbG95OnMzY3JldA==");
    }

    @Test
    void downloadsReachOnlyAllowedAddressesAndRedirectsAreCheckedAgain() throws IOException {
        Path ctx = tmp.resolve("ctx");
        // the builder's default: public addresses only; nothing is requested from a loopback source
        assertThatThrownBy(() -> build(ctx, "FROM scratch\nADD " + base + "a.yaml x\n", OutboundPolicy.PUBLIC_ONLY))
                .isInstanceOf(KubefileException.class).hasMessageContaining("Kubefile:2: ADD")
                .hasMessageContaining("127.0.0.1 is a loopback address, which is not allowed");
        assertThat(authorizations).isEmpty();

        // a redirect to an address outside the allowance is refused before it is followed
        String moved = base.replace("/files/", "/moved/127.0.0.2/") + "a.yaml";
        assertThatThrownBy(() -> build(ctx, "FROM scratch\nADD " + moved + " x\n", OutboundPolicy.allowing("127.0.0.1/32")))
                .isInstanceOf(KubefileException.class).hasMessageContaining("127.0.0.2 is a loopback address");
        assertThat(authorizations).isEmpty();

        // followed where allowed, but the credentials stay with the origin they were given for
        String withCredentials = moved.replace("http://", "http://deploy:s3cret@");
        ImageManifest m = build(ctx, "FROM scratch\nADD " + withCredentials + " x\n");
        assertThat(entries(store, m.layers().get(0))).containsEntry("x", "644 served a.yaml\n");
        assertThat(authorizations).containsExactly("null");
    }

    @Test
    void unpacksLocalArchivesAndCopiesOtherFiles() throws IOException {
        Path ctx = tmp.resolve("ctx");
        Files.createDirectories(ctx);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(ctx.resolve("bundle.tgz")));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.putArchiveEntry(new TarArchiveEntry("./bin/", TarArchiveEntry.LF_DIR));
            tar.closeArchiveEntry();
            TarArchiveEntry tool = new TarArchiveEntry("./bin/tool");
            tool.setMode(0100750);
            tool.setSize(4);
            tool.setModTime(123456789L);
            tool.setUserId(1000);
            tar.putArchiveEntry(tool);
            tar.write("tool".getBytes(StandardCharsets.UTF_8));
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("bin/alias", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("tool");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        write(ctx, "notes.gz.txt", "not an archive");
        ImageManifest m = build(ctx, "FROM scratch\nADD bundle.tgz notes.gz.txt /opt/\n");
        assertThat(entries(store, m.layers().get(0))).containsExactly(
                Map.entry("opt/", "dir 755"),
                Map.entry("opt/bin/", "dir 755"),
                Map.entry("opt/bin/alias", "-> tool"),
                Map.entry("opt/bin/tool", "755 tool"),
                Map.entry("opt/notes.gz.txt", "644 not an archive"));
    }
}
