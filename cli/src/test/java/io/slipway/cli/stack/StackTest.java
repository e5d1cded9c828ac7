package io.slipway.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.Slipway;
import io.slipway.cli.dashboard.GrafanaDashboardTest;
import io.slipway.cli.events.TopicTail;
import io.slipway.security.Role;
import io.slipway.testkit.PrometheusText;
import io.slipway.testkit.chaos.EventIntegrity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.RegistryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole local stack, end to end through the gateway: a build reaches deploy-svc by Kafka, a restart keeps it, and a
 * secret planted in every input shows nowhere ({@link SecretCanary}).
 */
class StackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** sealer's workflow through the CLI: build a context, list it, push it to a registry, save it, remove it. */
    private void cliBuildsPushesAndSavesThroughTheGateway(Path dir, URI gateway, String viewer) throws Exception {
        Path context = dir.resolve("context");
        Files.createDirectories(context.resolve("manifests"));
        Files.writeString(context.resolve("Kubefile"), "FROM scratch\nARG V=1\nCOPY manifests manifests\nLABEL version=${V}\n");
        Files.writeString(context.resolve("manifests/app.yaml"), "kind: ConfigMap\n");
        String data = dir.toString();
        assertThat(cli("build", "--data-dir", data, "-t", "demo/app:v1", "--build-arg", "V=2", context.toString())).isZero();
        JsonNode images = JSON.readTree(get(gateway, "/api/v1/images", viewer).body());
        assertThat(images.findValuesAsText("name")).contains("docker.io/demo/app:v1");

        try (EmbeddedRegistry registry = EmbeddedRegistry.start(dir.resolve("registry"))) {
            String remote = registry.host() + "/demo/app:v1";
            assertThat(cli("push", "--data-dir", data, "demo/app:v1", remote)).isZero();
            try (RegistryClient client = RegistryClient.open(RegistryConfig.of(registry.host()).withPlainHttp(true))) {
                assertThat(client.headManifest("demo/app", "v1")).isPresent();
            }
            assertThat(cli("pull", "--data-dir", data, remote)).isZero();
        }
        Path archive = dir.resolve("app.tar");
        assertThat(cli("save", "--data-dir", data, "-o", archive.toString(), "demo/app:v1")).isZero();
        assertThat(Files.size(archive)).isPositive();
        assertThat(cli("rmi", "--data-dir", data, "demo/app:v1")).isZero();
        assertThat(cli("load", "--data-dir", data, "-i", archive.toString())).isZero();
        assertThat(JSON.readTree(get(gateway, "/api/v1/images", viewer).body()).findValuesAsText("name")).contains("docker.io/demo/app:v1");
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("Kubefile"), "FROM scratch\nLAUNCH [\"nope\"]\n");
        assertThat(cli("build", "--data-dir", data, "-t", "demo/bad:v1", bad.toString())).as("a failed build fails the command").isEqualTo(1);
    }

    private static int cli(String... args) {
        return io.slipway.cli.Slipway.commandLine().execute(args);
    }

    @Test
    void buildsFlowThroughTheGatewayToDeployAndSurviveARestart(@TempDir Path dir) throws Exception {
        SecretCanary canary = new SecretCanary();
        List<String> jvm = new ArrayList<>(serviceJvmOptions());
        jvm.addAll(canary.serviceJvmOptions());
        Stack.Options options = new Stack.Options(dir, ProjectHome.require(null), 0, Stack.DEFAULT_START_TIMEOUT, jvm, System.out);
        String buildId;
        List<Long> children;

        try (Stack stack = Stack.start(options)) {
            assertThat(StackFile.read(stack.layout())).get().extracting(StackFile.State::pid).isEqualTo(ProcessHandle.current().pid());
            URI gateway = stack.gatewayUrl();
            String operator = stack.token(Role.operator, Duration.ofHours(1));
            String viewer = stack.token(Role.viewer, Duration.ofHours(1));

            assertThat(post(gateway, "/api/v1/builds", "{\"image\":\"etcd:v1\"}", null).statusCode()).isEqualTo(401);
            buildId = requestBuild(gateway, operator, "etcd:v1");
            awaitDeployKnows(gateway, viewer, buildId, "etcd:v1");
            assertThat(buildEventKeyed(stack.bootstrapServers(), buildId).path("event").isObject()).isTrue();
            aReplayOfDeployCatalogChangesNothingItApplied(dir, gateway, viewer, buildId);
            theDashboardsQuarkusAndKafkaMetricsAreServed(dir);

            assertThat(get(gateway, "/api/v1/nothing-here", viewer).statusCode()).isEqualTo(404);
            assertThat(get(gateway, "/healthz", null).statusCode()).isEqualTo(200);
            cliBuildsPushesAndSavesThroughTheGateway(dir, gateway, viewer);
            // issue 19's canary: one secret in every input, found in no topic, log, table or answer
            canary.plant(dir, gateway, operator);
            canary.assertFoundNowhere(stack, gateway, operator, viewer);
            children = allChildren(stack);
        }
        assertAllGone(children);
        assertThat(dir.resolve("stack.json")).doesNotExist();

        try (Stack stack = Stack.start(options)) {
            URI gateway = stack.gatewayUrl();
            String operator = stack.token(Role.operator, Duration.ofHours(1));
            String viewer = stack.token(Role.viewer, Duration.ofHours(1));

            // what the first run recorded is still there (supervision, each process killed and restarted: tests/chaos)
            HttpResponse<String> kept = get(gateway, "/api/v1/deploy/builds/" + buildId, viewer);
            assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
            assertThat(JSON.readTree(kept.body()).path("image").asText()).isEqualTo("etcd:v1");

            String second = requestBuild(gateway, operator, "etcd:v2");
            awaitDeployKnows(gateway, viewer, second, "etcd:v2");
            theEventTopicsSayWhatTheReadModelsSay(stack, gateway, viewer);
            theReadModelsRebuiltFromTheirTopicsAreIdentical(dir);
            children = allChildren(stack);
        }
        assertAllGone(children);
    }

    /**
     * Issue 16: deploy-svc stopped ({@code slipway stop}), its build catalog's group moved back to the oldest build event
     * ({@code slipway replay}), started again: it reads every event again and drops each as one it has applied, and its
     * read model is what it was.
     */
    private void aReplayOfDeployCatalogChangesNothingItApplied(Path dir, URI gateway, String viewer, String buildId) throws Exception {
        String group = "deploy-svc.build-catalog";
        String[] replay = {"replay", "slipway.build.events", "--group", group, "--from", "earliest", "--data-dir", dir.toString()};
        HttpResponse<String> before = get(gateway, "/api/v1/deploy/builds/" + buildId, viewer);
        assertThat(before.statusCode()).isEqualTo(200);

        Cli refused = run(replay);
        assertThat(refused.code()).as(refused.out()).isEqualTo(1);
        // refused for its running member before anything else (it may not have committed a position yet)
        assertThat(refused.err()).contains(group + " has 1 running member(s)").contains("stop the service");

        // a dry run works on a live group once it has committed a position (the consumer commits every few seconds)
        String[] dryRun = Arrays.copyOf(replay, replay.length + 1);
        dryRun[replay.length] = "--dry-run";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> run(dryRun).code() == 0);
        assertThat(run(dryRun).out()).contains("note: consumer group " + group + " has 1 running member(s)").contains("dry run: nothing moved");

        Cli stopped = run("stop", "deploy-svc", "--data-dir", dir.toString());
        assertThat(stopped.code()).as(stopped.err()).isZero();
        assertThat(get(gateway, "/api/v1/deploy/builds/" + buildId, viewer).statusCode()).isIn(502, 503);
        assertThat(run("status", "--data-dir", dir.toString()).out()).containsPattern("(?m)^deploy-svc .* STOPPED +0 +stopped on request");

        // a stopped consumer leaves its group at once; one that had to be killed stays a member until its session ends
        AtomicReference<Cli> moved = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            moved.set(run(replay));
            return moved.get().code() == 0;
        });
        Matcher readAgain = Pattern.compile("read again: (\\d+) record").matcher(moved.get().out());
        assertThat(readAgain.find()).as(moved.get().out()).isTrue();
        long replayed = Long.parseLong(readAgain.group(1));
        assertThat(replayed).as("the build's events at least").isPositive();

        Cli started = run("start", "deploy-svc", "--data-dir", dir.toString());
        assertThat(started.code()).as(started.err()).isZero();
        URI metrics = URI.create(StackFile.read(new StackLayout(dir)).orElseThrow().services().stream()
                .filter(s -> s.name().equals("deploy-svc")).findFirst().orElseThrow().url() + "/q/metrics");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> duplicatesDropped(metrics, group) >= replayed);
        HttpResponse<String> after = get(gateway, "/api/v1/deploy/builds/" + buildId, viewer);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(after.body())).isEqualTo(JSON.readTree(before.body()));
    }

    /**
     * Issue 16, item 1: after both runs (a replay of the catalog's group among them), deploy-svc's build catalog rebuilt
     * from slipway.build.events is row for row the live one; a service with no read model says so.
     */
    private static void theReadModelsRebuiltFromTheirTopicsAreIdentical(Path dir) {
        Cli rebuilt = run("replay", "rebuild", "deploy-svc", "--data-dir", dir.toString());
        assertThat(rebuilt.code()).as(rebuilt.out() + rebuilt.err()).isZero();
        assertThat(rebuilt.out()).contains("build-catalog: slipway.build.events read as deploy-svc.build-catalog")
                .containsPattern("table known_build: (\\d+) row\\(s\\) live, \\1 rebuilt").endsWith("identical" + System.lineSeparator());
        System.out.print(rebuilt.out());
        Cli none = run("replay", "rebuild", "build-svc", "--data-dir", dir.toString());
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(none.out()).contains("build-svc keeps no read model of other services' events");
    }

    /**
     * Issue 16, item 3: what both runs wrote to the event topics decodes with the released schemas, has no event twice
     * and none out of order, and every build's state is the one its events set last (EventIntegrity; the chaos suite
     * runs it over a hundred operations and their faults).
     */
    private void theEventTopicsSayWhatTheReadModelsSay(Stack stack, URI gateway, String viewer) {
        // the read model commits before the relay publishes: a state read a moment ago may still be on its way
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            EventIntegrity check = new EventIntegrity();
            JsonNode builds = JSON.readTree(get(gateway, "/api/v1/builds?limit=1000", viewer).body());
            assertThat(builds.size()).isGreaterThanOrEqualTo(2);
            builds.forEach(b -> check.expectBuild(b.path("id").asText(), b.path("state").asText()));
            EventIntegrity.Report report = check.check(stack.bootstrapServers(), EventIntegrity.TOPICS);
            assertThat(report.findings()).as(report.text()).isEmpty();
            System.out.print(report.text());
        });
    }

    /**
     * deploy/grafana/slipway.json also queries metrics Quarkus and the Kafka client record (HTTP answers, consumer lag):
     * every one of them is served by a running service (its own are checked against the code: GrafanaDashboardTest).
     */
    private void theDashboardsQuarkusAndKafkaMetricsAreServed(Path dir) throws Exception {
        Set<String> queried = GrafanaDashboardTest.queried(JSON.readTree(GrafanaDashboardTest.dashboard().toFile()),
                Pattern.compile("\\b((?:kafka|http|jvm|process)_[a-z0-9_]+)"));
        assertThat(queried).contains("kafka_consumer_fetch_manager_records_lag_max");
        StringBuilder served = new StringBuilder();
        for (StackFile.Service s : StackFile.read(new StackLayout(dir)).orElseThrow().services()) {
            served.append(http.send(HttpRequest.newBuilder(URI.create(s.url() + "/q/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        assertThat(queried).allSatisfy(name -> assertThat(PrometheusText.has(served.toString(), name)).as("%s is served", name).isTrue());
    }

    private long duplicatesDropped(URI metrics, String group) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^slipway_consumer_duplicates_total\\{[^}]*group=\"" + Pattern.quote(group) + "\"[^}]*} ([0-9.E]+)$")
                .matcher(text);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    record Cli(int code, String out, String err) {
    }

    /** Runs the CLI in this JVM, as a user would in a shell, and answers what it printed. */
    private static Cli run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = Slipway.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    private String requestBuild(URI gateway, String token, String image) throws IOException, InterruptedException {
        HttpResponse<String> accepted = post(gateway, "/api/v1/builds", "{\"image\":\"" + image + "\",\"context\":\"git+https://127.0.0.1:9/repo.git#main\"}", token);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).path("id").asText();
        assertThat(id).isNotBlank();
        return id;
    }

    private void awaitDeployKnows(URI gateway, String viewer, String buildId, String image) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            last.set(get(gateway, "/api/v1/deploy/builds/" + buildId, viewer));
            assertThat(last.get().statusCode()).as(last.get().body()).isEqualTo(200);
        });
        JsonNode known = readTree(last.get().body());
        assertThat(known.path("buildId").asText()).isEqualTo(buildId);
        assertThat(known.path("image").asText()).isEqualTo(image);
    }

    /** The {@code events tail} reader finds the build's event on slipway.build.events and decodes it. */
    private static JsonNode buildEventKeyed(String bootstrapServers, String buildId) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (TopicTail tail = new TopicTail(bootstrapServers, "slipway.build.events", true)) {
            tail.read(0, line -> {
                if (buildId.equals(line.path("key").asText())) {
                    found.set(line);
                    return false;
                }
                return true;
            }, () -> System.nanoTime() > deadline);
        }
        assertThat(found.get()).as("an event keyed " + buildId + " on slipway.build.events").isNotNull();
        assertThat(found.get().has("error")).as(found.get().toString()).isFalse();
        assertThat(found.get().path("headers").path("eventId").asText()).isNotBlank();
        assertThat(found.get().path("headers").path("eventType").asText()).isNotBlank();
        return found.get();
    }

    private static List<Long> allChildren(Stack stack) {
        List<Long> pids = new ArrayList<>(stack.childPids());
        ProcessHandle.current().descendants().forEach(h -> pids.add(h.pid()));
        return pids;
    }

    private static void assertAllGone(List<Long> pids) {
        assertThat(pids).isNotEmpty();
        assertThat(pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList())
                .as("child processes still alive after the stack stopped").isEmpty();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                .as("descendants of the test JVM").isEmpty();
    }

    private HttpResponse<String> post(URI gateway, String path, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI gateway, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** {@code -Dslipway.stack.service-jvm-options="-Xmx512m ..."} adds options to every service (as --service-jvm-option does). */
    private static List<String> serviceJvmOptions() {
        String value = System.getProperty("slipway.stack.service-jvm-options", "").trim();
        return value.isEmpty() ? List.of() : Arrays.asList(value.split("\\s+"));
    }
}
