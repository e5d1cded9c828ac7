package io.slipway.cli.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.slipway.cli.Slipway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway build} against a stand-in for build-svc's REST API (the real one is tested in build-svc and the stack tests). */
class BuildCommandTest {
    @TempDir
    Path context;
    HttpServer server;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    volatile int unresolved;
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final PrintStream originalErr = System.err;
    final PrintStream originalOut = System.out;

    @BeforeEach
    void start() throws IOException {
        Files.writeString(context.resolve("Kubefile"), "FROM scratch\n");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setErr(originalErr);
        System.setOut(originalOut);
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("/api/v1/builds/contexts")) {
                answer(ex, "application/json", "{\"id\":\"" + "a".repeat(64) + "\",\"context\":\"archive:" + "a".repeat(64) + "\"}");
            } else if (path.equals("/api/v1/builds")) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
                answer(ex, "application/json", "{\"id\":\"b1\"}");
            } else if (path.equals("/api/v1/builds/b1/logs")) {
                answer(ex, "text/event-stream", "data:[1/1] FROM scratch\n\ndata:build succeeded\n\n");
            } else if (path.equals("/api/v1/builds/b1")) {
                answer(ex, "application/json", "{\"id\":\"b1\",\"state\":\"Succeeded\",\"digest\":\"sha256:" + "c".repeat(64)
                        + "\",\"layersBuilt\":1,\"layersCached\":0,\"imagesUnresolved\":" + unresolved + "}");
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private static void answer(HttpExchange ex, String type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private int slipway(String... args) {
        var cli = Slipway.commandLine();
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("build", "-t", "ops/app:v1"));
        all.addAll(List.of(args));
        all.addAll(List.of("--server", "http://127.0.0.1:" + server.getAddress().getPort(), "--token", "t", context.toString()));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void strictIsAskedForAndALenientBuildWithUncachedImagesSaysItIsNotOfflineComplete() {
        unresolved = 2;
        assertThat(slipway()).as(err.toString()).isZero();
        assertThat(bodies.getLast()).contains("\"strict\":false");
        assertThat(err.toString()).contains("warning: 2 container image(s) could not be cached, so ops/app:v1 is NOT offline-complete");

        unresolved = 0;
        err.reset();
        assertThat(slipway("--strict")).as(err.toString()).isZero();
        assertThat(bodies.getLast()).contains("\"strict\":true");
        assertThat(err.toString()).doesNotContain("offline-complete");
    }
}
