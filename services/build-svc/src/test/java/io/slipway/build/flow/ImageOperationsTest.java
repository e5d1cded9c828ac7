package io.slipway.build.flow;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.slipway.backbone.EventHeaders;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.events.build.ImageAction;
import io.slipway.events.build.ImageChanged;
import io.slipway.events.build.SyncJobFinished;
import io.slipway.events.build.SyncJobRequested;
import io.slipway.oci.registry.RegistryClient;
import io.slipway.oci.store.ImageStore;
import io.slipway.oci.registry.RegistryConfig;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store's operations outside builds, against real registries: tag, rmi, login, push, pull, sync jobs. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "buildflow"))
class ImageOperationsTest {
    static EmbeddedRegistry source;
    static EmbeddedRegistry mirror;
    static EmbeddedRegistry locked;

    @TempDir
    static Path temp;

    @BeforeAll
    static void startRegistries() {
        source = EmbeddedRegistry.start(temp.resolve("source"));
        mirror = EmbeddedRegistry.start(temp.resolve("mirror"));
        locked = EmbeddedRegistry.builder(temp.resolve("locked")).basicAuth("ci", "s3cret-pass").start();
    }

    @AfterAll
    static void stopRegistries() {
        source.close();
        mirror.close();
        locked.close();
    }

    @Test
    void anImageIsTaggedPushedSyncedAndRemovedEachAsAnEvent() throws Exception {
        String built = buildImage("ops/base:v1");
        String pushedTo = source.host() + "/ops/base:v1";
        String pushOut = push("ops/base:v1", pushedTo);
        assertThat(pushOut).contains("done ").contains(built);

        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("source", "ops/base:v1", "target", "ops/base:stable")).post("/api/v1/images/tag")
                .then().statusCode(200).body("digest", equalTo(built));

        // a sync job copies every tag of the source repository to the mirror
        String rules = """
                images:
                  %s/ops/base: %s/mirror/base
                auth:
                  %s:
                    insecure: true
                  %s:
                    insecure: true
                """.formatted(source.host(), mirror.host(), source.host(), mirror.host());
        String job = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml").body(rules.getBytes())
                .post("/api/v1/images/syncs").then().statusCode(202).extract().path("id");
        JsonPath finished = await().atMost(Duration.ofSeconds(60)).until(() -> given().header("Authorization", TestTokens.bearer(Role.viewer))
                .get("/api/v1/images/syncs/" + job).then().extract().jsonPath(), j -> j.getString("state").matches("Succeeded|Failed"));
        assertThat(finished.getString("state")).as(finished.getList("failures").toString()).isEqualTo("Succeeded");
        assertThat(finished.getInt("synced")).isEqualTo(1);
        try (RegistryClient client = RegistryClient.open(RegistryConfig.of(mirror.host()).withPlainHttp(true))) {
            assertThat(client.headManifest("mirror/base", "v1")).hasValueSatisfying(d -> assertThat(d.digest().toString()).isEqualTo(built));
        }
        List<String> syncEvents = await().atMost(Duration.ofSeconds(60)).until(() -> BuildFlowTest.eventTypes(job), t -> t.size() == 2);
        assertThat(syncEvents).containsExactly("SyncJobRequested", "SyncJobFinished");
        assertThat(BuildFlowTest.event(job, "SyncJobFinished", SyncJobFinished.class).getSynced()).isEqualTo(1);

        given().header("Authorization", TestTokens.bearer(Role.operator)).queryParam("name", "ops/base:stable")
                .delete("/api/v1/images").then().statusCode(200);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).queryParam("name", "ops/base:stable")
                .get("/api/v1/images/inspect").then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).queryParam("name", "ops/base:v1")
                .get("/api/v1/images/inspect").then().statusCode(200).body("digest", equalTo(built));

        List<ImageAction> actions = await().atMost(Duration.ofSeconds(60)).until(() -> imageActions(), a -> a.contains(ImageAction.REMOVED));
        assertThat(actions).contains(ImageAction.PUSHED, ImageAction.TAGGED, ImageAction.REMOVED);
    }

    @Test
    void loginIsCheckedAndStoredAndTheSecretNeverComesBack() {
        String built = buildImage("ops/private:v1");
        String remote = locked.host() + "/ops/private:v1";
        assertThat(push("ops/private:v1", remote)).contains("error ").contains("401").doesNotContain("s3cret-pass");

        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("registry", locked.host(), "username", "ci", "password", "wrong-pass")).post("/api/v1/images/login")
                .then().statusCode(400).body("field", equalTo("password")).body("error", not(containsString("wrong-pass")));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("registry", locked.host(), "username", "ci", "password", "s3cret-pass")).post("/api/v1/images/login")
                .then().statusCode(200).body(not(containsString("s3cret-pass")));

        assertThat(push("ops/private:v1", remote)).contains("done ").contains(built);
        String pulled = pull(remote, "ops/private:copy");
        assertThat(pulled).contains(built);
    }

    /**
     * Issue 16, item 3: an image store change is made between its intent and its event. A predecessor that died in
     * between (the intents of an exited process of this host, written here as it would have) leaves the store to say
     * which changes were made: the one it made gets its event, once; the ones it never made get none.
     */
    @Test
    void aStoreChangeWhoseEventWasNeverWrittenIsPublishedOnceAndOneNeverMadeIsDropped() throws Exception {
        String built = buildImage("ops/intent:v1");
        String dead = exitedWorker();
        ImageStore store = data.store();
        store.tag(ref("ops/intent:made"), store.resolve(ref("ops/intent:v1")).orElseThrow());
        insertIntent(ImageAction.TAGGED, "ops/intent:made", built, dead);
        insertIntent(ImageAction.TAGGED, "ops/intent:never", built, dead);
        insertIntent(ImageAction.REMOVED, "ops/intent:v1", built, dead);

        await().atMost(Duration.ofSeconds(60)).until(() -> intentsLeft() == 0);
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(Map.of("source", "ops/intent:v1", "target", "ops/intent:rest")).post("/api/v1/images/tag").then().statusCode(200);
        List<String> changes = await().atMost(Duration.ofSeconds(60))
                .until(() -> imageChanges("ops/intent:"), c -> c.size() >= 2);
        assertThat(changes).containsExactly("TAGGED " + ref("ops/intent:made") + " " + built, "TAGGED " + ref("ops/intent:rest") + " " + built);
        assertThat(store.resolve(ref("ops/intent:v1"))).as("a removal never made").isPresent();
        assertThat(intentsLeft()).as("the REST tag's intent went with its event").isZero();
    }

    @jakarta.inject.Inject
    io.slipway.build.BuildData data;

    /** The worker id of a process of this host that has exited (WorkerIdentity's form). */
    private static String exitedWorker() throws Exception {
        Process p = new ProcessBuilder("true").start();
        String id = io.slipway.backbone.work.WorkerIdentity.of(io.slipway.backbone.work.WorkerIdentity.HOST, p.toHandle());
        p.waitFor();
        return id;
    }

    private static java.sql.Connection jdbc() throws java.sql.SQLException {
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        return java.sql.DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class), config.getValue("quarkus.datasource.password", String.class));
    }

    private static void insertIntent(ImageAction action, String image, String digest, String worker) throws java.sql.SQLException {
        try (var c = jdbc(); var st = c.prepareStatement("insert into image_change_intent (id, action, image, digest, actor, worker, created_at)"
                + " values (gen_random_uuid(), ?, ?, ?, 'ci', ?, now())")) {
            st.setString(1, action.name());
            st.setString(2, ref(image));
            st.setString(3, digest);
            st.setString(4, worker);
            st.executeUpdate();
        }
    }

    private static String ref(String name) {
        return io.slipway.oci.Reference.parse(name).toString();
    }

    private static int intentsLeft() throws java.sql.SQLException {
        try (var c = jdbc(); var st = c.createStatement(); var rs = st.executeQuery("select count(*) from image_change_intent")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** "ACTION image digest" of each ImageChanged event of an image whose name contains {@code part}, in topic order. */
    private static List<String> imageChanges(String part) {
        return KafkaTopics.readAll(BuildFlowTest.EVENTS).stream()
                .filter(r -> "ImageChanged".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE)))
                .map(r -> EventCodec.released().decode(r.value(), ImageChanged.class))
                .filter(e -> e.getImage().contains(part))
                .map(e -> e.getAction() + " " + e.getImage() + " " + e.getDigest()).toList();
    }

    @Test
    void badSyncRulesAreA400NamingTheLine() {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body("images:\n  src/a: dst/b\nconcurrency: zero\n".getBytes()).post("/api/v1/images/syncs")
                .then().statusCode(400).body("field", equalTo("rules")).body("error", containsString("line 3"));
    }

    static String buildImage(String name) {
        try {
            String context = BuildFlowTest.upload(BuildFlowTest.tar(Map.of("Kubefile", "FROM scratch\nCOPY f f\n", "f", name)));
            String id = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                    .body(Map.of("image", name, "context", context)).post("/api/v1/builds").then().statusCode(202).extract().path("id");
            JsonPath done = BuildFlowTest.awaitFinished(id);
            assertThat(done.getString("state")).as(done.getString("failureReason")).isEqualTo("Succeeded");
            return done.getString("digest");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String push(String name, String remote) {
        return given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("name", name, "remote", remote)).post("/api/v1/images/push").then().statusCode(200).extract().asString();
    }

    static String pull(String reference, String name) {
        return given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("reference", reference, "name", name)).post("/api/v1/images/pull").then().statusCode(200).extract().asString();
    }

    static List<ImageAction> imageActions() {
        return KafkaTopics.readAll(BuildFlowTest.EVENTS).stream()
                .filter(r -> "ImageChanged".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE)))
                .map(r -> EventCodec.released().decode(r.value(), ImageChanged.class).getAction()).toList();
    }
}
