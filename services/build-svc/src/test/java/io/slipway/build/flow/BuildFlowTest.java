package io.slipway.build.flow;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.slipway.testkit.git.GitHttpsServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.slipway.backbone.EventHeaders;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.events.build.BuildFailed;
import io.slipway.events.build.BuildSucceeded;
import io.slipway.events.build.ImagePushed;
import io.slipway.events.build.LayerBuilt;
import io.slipway.events.build.RequestBuild;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.PrometheusText;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build from request to image, through the service's edges: an uploaded context and a CI request from Kafka both
 * end as an image in the store, every step an event on slipway.build.events; a bad Kubefile fails with its line.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "buildflow"))
class BuildFlowTest {
    static final String EVENTS = "slipway.build.events";
    /** What application.properties configures for the git host 127.0.0.1. */
    static final String GIT_TOKEN = "test-git-token-4b2e";
    static final String KUBEFILE = """
            FROM scratch
            LABEL maintainer=ops
            COPY manifests manifests
            APP etcd local://apps/etcd
            CMDS ["sh application/apps/etcd/install.sh"]
            """;

    static EmbeddedRegistry registry;

    @TempDir
    static Path temp;

    @BeforeAll
    static void startRegistry() {
        registry = EmbeddedRegistry.start(temp.resolve("registry"));
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @Test
    void anUploadedContextBecomesAnImageAndEveryStepIsAnEvent() throws Exception {
        String context = upload(tar(Map.of("Kubefile", KUBEFILE, "manifests/etcd.yaml", "kind: ConfigMap\n",
                "apps/etcd/install.sh", "echo install\n")));
        String image = registry.host() + "/ops/etcd:v1";
        String id = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", image, "context", context, "push", true))
                .post("/api/v1/builds").then().statusCode(202).extract().path("id");

        JsonPath done = awaitFinished(id);
        assertThat(done.getString("state")).as(done.getString("failureReason")).isEqualTo("Succeeded");
        assertThat(done.getInt("layersBuilt") + done.getInt("layersCached")).isGreaterThanOrEqualTo(2);

        List<String> types = await().atMost(Duration.ofSeconds(60)).until(() -> eventTypes(id), t -> t.contains("BuildSucceeded"));
        assertThat(types.getFirst()).isEqualTo("BuildRequested");
        assertThat(types.get(1)).isEqualTo("BuildStarted");
        assertThat(types).contains("LayerBuilt", "ImagePushed").endsWith("BuildSucceeded");
        assertThat(types.indexOf("ImagePushed")).isGreaterThan(types.lastIndexOf("LayerBuilt"));
        BuildSucceeded succeeded = event(id, "BuildSucceeded", BuildSucceeded.class);
        assertThat(succeeded.getDigest()).isEqualTo(done.getString("digest"));
        ImagePushed pushed = event(id, "ImagePushed", ImagePushed.class);
        assertThat(pushed.getDigest()).isEqualTo(done.getString("digest"));

        // the registry has it under the same digest, and the store lists and inspects it with its CloudImage metadata
        Reference ref = Reference.parse(image);
        try (RegistryClient client = RegistryClient.open(RegistryConfig.of(registry.host()).withPlainHttp(true))) {
            assertThat(client.headManifest(ref.repository(), "v1")).hasValueSatisfying(d -> assertThat(d.digest().toString())
                    .isEqualTo(done.getString("digest")));
        }
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/images")
                .then().statusCode(200).body("find { it.name == '" + ref + "' }.digest", equalTo(done.getString("digest")));
        JsonPath inspect = given().header("Authorization", TestTokens.bearer(Role.viewer)).queryParam("name", image)
                .get("/api/v1/images/inspect").then().statusCode(200).extract().jsonPath();
        assertThat(inspect.getString("manifests[0].slipway.applications[0].name")).isEqualTo("etcd");
        assertThat(inspect.getList("manifests[0].slipway.cmds", String.class)).containsExactly("sh application/apps/etcd/install.sh");

        // the log stays readable after the build, whole or as a stream that ends by itself
        String log = given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/builds/" + id + "/log")
                .then().statusCode(200).extract().asString();
        assertThat(log).contains("APP etcd").contains("build succeeded");
        String sse = given().header("Authorization", TestTokens.bearer(Role.viewer)).accept("text/event-stream")
                .get("/api/v1/builds/" + id + "/logs").then().statusCode(200).extract().asString();
        assertThat(sse).contains("data:").contains("build succeeded");

        LayerBuilt first = event(id, "LayerBuilt", LayerBuilt.class);
        assertThat(first.getLine()).isPositive();

        // issue 16, item 5: the build is in build-svc's own metrics (other tests of this class add to them)
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(PrometheusText.sum(metrics, "slipway_build_duration_seconds_count", "outcome=\"succeeded\"")).isGreaterThanOrEqualTo(1);
        assertThat(PrometheusText.sum(metrics, "slipway_build_layers_total"))
                .isGreaterThanOrEqualTo(done.getInt("layersBuilt") + done.getInt("layersCached"));
        assertThat(PrometheusText.sum(metrics, "slipway_build_layer_bytes_total")).isPositive();
        assertThat(PrometheusText.sum(metrics, "slipway_build_push_blobs_total"))
                .isGreaterThanOrEqualTo(pushed.getBlobsUploaded() + pushed.getBlobsSkipped());
    }

    @Test
    void aCiRequestFromKafkaWithAGitContextBuildsAndTheSameRequestTwiceIsOneBuild() throws Exception {
        Path repo = temp.resolve("repo-" + UUID.randomUUID());
        Files.createDirectories(repo.resolve("manifests"));
        Files.writeString(repo.resolve("Kubefile"), "FROM scratch\nCOPY manifests manifests\n");
        Files.writeString(repo.resolve("manifests/a.yaml"), "kind: ConfigMap\n");
        git(repo, "init", "-q", "-b", "main");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm", "first");

        // a private git host over HTTPS: build-svc has its CA and its credentials in configuration (application.properties)
        GitHttpsServer git = GitHttpsServer.start(temp.resolve("git-" + UUID.randomUUID()), "ci", GIT_TOKEN);
        String url;
        try {
            url = git.publish("app", repo);
            Files.copy(git.caCertificate(), Path.of("target/test-git-ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            git.close();
            throw e;
        }
        String buildId = UUID.randomUUID().toString();
        RequestBuild request = RequestBuild.newBuilder().setBuildId(buildId).setImage("ci/app:" + buildId.substring(0, 8))
                .setContext("git+" + url + "#main").setRequestedBy("jenkins").build();
        byte[] value = EventCodec.released().encode(request);
        String eventId = UUID.randomUUID().toString();
        String token = TestTokens.bearer(Role.operator);
        Map<String, String> headers = Map.of(EventHeaders.EVENT_ID, eventId, EventHeaders.EVENT_TYPE, "RequestBuild",
                EventHeaders.AUTHORIZATION, token);
        KafkaTopics.produce("slipway.build.requests", "ci/app", value, headers);
        KafkaTopics.produce("slipway.build.requests", "ci/app", value, Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(),
                EventHeaders.EVENT_TYPE, "RequestBuild", EventHeaders.AUTHORIZATION, token));

        JsonPath done = awaitFinished(buildId);
        assertThat(done.getString("state")).as(done.getString("failureReason")).isEqualTo("Succeeded");
        assertThat(done.getString("requestedBy")).as("the token's subject, not the command's requestedBy field").isEqualTo("test-operator");
        List<String> types = await().atMost(Duration.ofSeconds(60)).until(() -> eventTypes(buildId), t -> t.contains("BuildSucceeded"));
        assertThat(types).filteredOn("BuildRequested"::equals).as("the second request with the same build id is the same build").hasSize(1);
        assertThat(types).filteredOn("BuildStarted"::equals).hasSize(1);
        assertThat(git.requests()).anySatisfy(r -> assertThat(r.password()).isEqualTo(GIT_TOKEN));
        git.close();

        // a URL with the token in it is refused before anything is stored or sent, and the answer does not repeat it
        String answer = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", "ci/leak:v1", "context", "git+" + url.replace("https://", "https://ci:" + GIT_TOKEN + "@") + "#main"))
                .post("/api/v1/builds").then().statusCode(400).body("field", equalTo("context")).extract().asString();
        assertThat(answer).contains("must not carry credentials").doesNotContain(GIT_TOKEN);
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            assertThat(new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(GIT_TOKEN);
        }
    }

    @Test
    void aCommandWithoutAValidOperatorTokenIsDeadLetteredWithoutItsTokenAndBuildsNothing() {
        Map<String, String> forged = Map.of(EventHeaders.AUTHORIZATION, TestTokens.forgedBearer(Role.admin));
        Map<String, String> viewer = Map.of(EventHeaders.AUTHORIZATION, TestTokens.bearer(Role.viewer));
        Map<String, String> stale = Map.of(EventHeaders.AUTHORIZATION, TestTokens.staleBearer(Role.operator));
        Map<String, Map<String, String>> cases = Map.of("none", Map.of(), "forged", forged, "viewer", viewer, "stale", stale);
        Map<String, String> ids = new java.util.HashMap<>();
        cases.forEach((name, auth) -> {
            String buildId = UUID.randomUUID().toString();
            ids.put(name, buildId);
            byte[] value = EventCodec.released().encode(RequestBuild.newBuilder().setBuildId(buildId).setImage("ci/" + name + ":v1")
                    .setContext("archive:" + UUID.randomUUID()).setRequestedBy("admin").build());
            Map<String, String> headers = new java.util.HashMap<>(auth);
            headers.put(EventHeaders.EVENT_ID, UUID.randomUUID().toString());
            headers.put(EventHeaders.EVENT_TYPE, "RequestBuild");
            KafkaTopics.produce("slipway.build.requests", "unauth-" + name, value, headers);
        });
        Map<String, ConsumerRecord<String, byte[]>> dead = await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, ConsumerRecord<String, byte[]>> byCase = new java.util.HashMap<>();
            for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll("slipway.build.requests.dlq")) {
                if (r.key() != null && r.key().startsWith("unauth-")) {
                    byCase.put(r.key().substring("unauth-".length()), r);
                }
            }
            return byCase;
        }, m -> m.size() == cases.size());
        assertThat(KafkaTopics.header(dead.get("none"), EventHeaders.DLQ_REASON)).contains("unauthenticated: the command has no authorization header");
        assertThat(KafkaTopics.header(dead.get("forged"), EventHeaders.DLQ_REASON)).contains("unauthenticated: the command's token is not one");
        assertThat(KafkaTopics.header(dead.get("stale"), EventHeaders.DLQ_REASON)).contains("unauthenticated: the command's token is not one");
        assertThat(KafkaTopics.header(dead.get("viewer"), EventHeaders.DLQ_REASON)).endsWith(
                "forbidden: test-viewer does not hold the operator role a command needs");
        dead.values().forEach(r -> assertThat(r.headers().lastHeader(EventHeaders.AUTHORIZATION)).as("the token stays off the DLQ").isNull());
        ids.values().forEach(id -> given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/builds/" + id)
                .then().statusCode(404));
    }

    @Test
    void aStrictBuildFailsWhenAContainerImageCannotBeCachedAndALenientOneSaysHowManyWereNot() throws Exception {
        // an image in the local registry that is not there: resolving it is a 404, not traffic to anywhere else
        String missing = registry.host() + "/ops/not-pushed:1.0";
        String context = upload(tar(Map.of("Kubefile", "FROM scratch\nCOPY manifests manifests\n",
                "manifests/app.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - {name: app, image: " + missing + "}\n")));
        String lenient = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", "ops/lenient:v1", "context", context)).post("/api/v1/builds").then().statusCode(202).extract().path("id");
        JsonPath done = awaitFinished(lenient);
        assertThat(done.getString("state")).as(done.getString("failureReason")).isEqualTo("Succeeded");
        assertThat(done.getInt("imagesUnresolved")).isEqualTo(1);
        assertThat(done.getBoolean("strict")).isFalse();

        String strict = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", "ops/strict:v1", "context", context, "strict", true)).post("/api/v1/builds").then().statusCode(202)
                .extract().path("id");
        JsonPath failed = awaitFinished(strict);
        assertThat(failed.getString("state")).isEqualTo("Failed");
        assertThat(failed.getString("failureReason")).contains("1 container image(s) could not be cached and the build is strict").contains(missing);
        assertThat(event(strict, "BuildFailed", io.slipway.events.build.BuildFailed.class).getReason()).contains(missing);
        // nothing was tagged: the failed strict build left no image behind
        given().header("Authorization", TestTokens.bearer(Role.viewer)).queryParam("name", "ops/strict:v1").get("/api/v1/images/inspect")
                .then().statusCode(404);
    }

    @Test
    void aBadKubefileFailsTheBuildWithTheLineAndTheProblem() throws Exception {
        String context = upload(tar(Map.of("Kubefile", "FROM scratch\nCOPY a a\nFROBNICATE now\n", "a", "x")));
        String id = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", "bad/kubefile:v1", "context", context)).post("/api/v1/builds").then().statusCode(202).extract().path("id");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("state")).isEqualTo("Failed");
        assertThat(done.getString("failureReason")).contains("Kubefile:3").containsIgnoringCase("FROBNICATE");
        await().atMost(Duration.ofSeconds(60)).until(() -> eventTypes(id), t -> t.contains("BuildFailed"));
        assertThat(event(id, "BuildFailed", BuildFailed.class).getReason()).isEqualTo(done.getString("failureReason"));
    }

    @Test
    void aContextEscapingItsDirectoryIsRefusedAndAnUnknownArchiveIsA400() throws Exception {
        String context = upload(tar(Map.of("Kubefile", "FROM scratch\nCOPY ../../etc/passwd passwd\n")));
        String id = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", "bad/escape:v1", "context", context)).post("/api/v1/builds").then().statusCode(202).extract().path("id");
        JsonPath done = awaitFinished(id);
        assertThat(done.getString("state")).isEqualTo("Failed");
        assertThat(done.getString("failureReason")).contains("Kubefile:2");

        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("image", "x:v1", "context", "archive:" + "0".repeat(64))).post("/api/v1/builds")
                .then().statusCode(400).body("field", equalTo("context"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/x-tar").body("not a tar".getBytes())
                .post("/api/v1/builds/contexts").then().statusCode(400).body("field", equalTo("body"));
    }

    static JsonPath awaitFinished(String id) {
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                        .header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/builds/" + id).then().extract().jsonPath(),
                j -> "Succeeded".equals(j.getString("state")) || "Failed".equals(j.getString("state")));
    }

    static List<String> eventTypes(String id) {
        List<String> types = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            if (id.equals(r.key())) {
                types.add(KafkaTopics.header(r, EventHeaders.EVENT_TYPE));
            }
        }
        return types;
    }

    static <T extends org.apache.avro.specific.SpecificRecord> T event(String id, String type, Class<T> cls) {
        return KafkaTopics.readAll(EVENTS).stream().filter(r -> id.equals(r.key()))
                .filter(r -> type.equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))).findFirst()
                .map(r -> EventCodec.released().decode(r.value(), cls)).orElseThrow();
    }

    static String upload(byte[] tar) {
        return given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/x-tar").body(tar)
                .post("/api/v1/builds/contexts").then().statusCode(201).extract().path("context");
    }

    static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (var e : new java.util.TreeMap<>(files).entrySet()) {
                byte[] content = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(content.length);
                out.putArchiveEntry(entry);
                out.write(content);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
