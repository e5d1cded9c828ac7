package io.slipway.event.sink;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.event.route.RouteHistory;
import io.slipway.event.route.StoredRoutes;
import io.slipway.security.Role;
import jakarta.inject.Inject;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routing configuration and the sinks over REST, in the running service. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "event"))
class SinkApiTest {
    private static final String ROUTES = "/api/v1/sinks/routes";
    private static final String WITH_SECRETS = """
            # paging for the shop team
            route:
              match:
                - {type: Warning, namespace: '^shop$', receiver: oncall}
                - {receiver: console}
            receivers:
              - name: oncall
                dingtalk:
                  url: http://127.0.0.1:9/robot/send?access_token=tok-rest-1
                  secret: SEC-rest-2
              - name: console
                stdout: {}
            """;

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @ConfigProperty(name = "slipway.routes.file")
    Path file;

    @Inject
    RouteHistory history;

    /** The newest stored version, as every instance reads it. */
    private StoredRoutes newest() {
        return history.newest().orElseThrow();
    }

    private static String yaml(Role role, String body) {
        return given().header("Authorization", TestTokens.bearer(role)).contentType("application/yaml").body(utf8(body))
                .put(ROUTES).then().extract().asString();
    }

    /** Before and after each test: nothing routed, so no sink of this test outlives it in the shared application. */
    @BeforeEach
    @AfterEach
    void empty() {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml").body(utf8("# nothing routed\n"))
                .put(ROUTES).then().statusCode(200);
    }

    @Test
    void writeReadMaskedAndWriteBackKeepsTheSecrets() throws Exception {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml").body(utf8(WITH_SECRETS))
                .put(ROUTES).then().statusCode(200).body("receivers.name", hasItem("oncall")).body("receivers.kind", hasItem("dingtalk"));

        String shown = given().header("Authorization", TestTokens.bearer(Role.viewer)).get(ROUTES).then().statusCode(200)
                .contentType(containsString("application/yaml")).extract().asString();
        assertThat(shown).doesNotContain("tok-rest-1", "SEC-rest-2").contains("access_token=******", "# paging for the shop team");
        assertThat(newest().text()).contains("tok-rest-1", "SEC-rest-2");

        long written = newest().version();
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8(shown.replace("'^shop$'", "'^(shop|pay)$'"))).put(ROUTES).then().statusCode(200)
                .body("version", equalTo((int) written + 1));
        assertThat(newest().text()).contains("tok-rest-1", "SEC-rest-2", "^(shop|pay)$");
        assertThat(newest().changedBy()).isEqualTo("test-operator");

        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/sinks").then().statusCode(200)
                .body("routesVersion", equalTo((int) newest().version())).body("sinks.name", hasItem("oncall")).body("sinks.find { it.name == 'oncall' }.deadLetterTopic", equalTo("slipway.kube.events.oncall.dlq"))
                .body("sinks.find { it.name == 'oncall' }.consumerGroup", equalTo("slipway-sink-oncall"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().header("Authorization", TestTokens.bearer(Role.viewer))
                .get("/api/v1/sinks").then().body("sinks.find { it.name == 'console' }.state", equalTo("running")));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json").body("{\"from\":\"earliest\"}")
                .post("/api/v1/sinks/console/replay").then().statusCode(202).body("sink", equalTo("console"));
    }

    @Test
    void invalidConfigurationIsA400NamingLineAndFieldAndChangesNothing() throws Exception {
        StoredRoutes before = newest();
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8("route:\n  match:\n    - {receiver: console\nreceivers: []\n")).put(ROUTES)
                .then().statusCode(400).body("error", containsString("line ")).body("error", containsString("not valid YAML"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8("receivers: [{name: console, stdout: {}}]\nroute:\n  match:\n    - {reason: 'Back(Off', receiver: console}\n")).put(ROUTES)
                .then().statusCode(400).body("field", equalTo("route.match[0].reason"))
                .body("error", containsString("line 4")).body("error", containsString("invalid regular expression"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8("receivers:\n  - name: oncall\n    dingtalk: {url: 'http://127.0.0.1:9/x?access_token=******'}\n")).put(ROUTES)
                .then().statusCode(400).body("field", equalTo("receivers.oncall.dingtalk.url")).body("error", containsString("masked secret"));
        // a receiver on an address the outbound policy denies (only loopback is allowed here) is refused with its name
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8("receivers:\n  - name: far\n    webhook: {url: 'http://10.255.0.1/hook'}\nroute: {match: [{receiver: far}]}\n")).put(ROUTES)
                .then().statusCode(400).body("field", equalTo("receivers.far")).body("error", containsString("10.255.0.1 is a private address"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8("receivers:\n  - name: db\n    postgres: {url: 'jdbc:postgresql://169.254.169.254/x', table: t}\n"
                        + "route: {match: [{receiver: db}]}\n")).put(ROUTES)
                .then().statusCode(400).body("field", equalTo("receivers.db")).body("error", containsString("link-local"));
        assertThat(newest().version()).isEqualTo(before.version());
    }

    @Test
    void aRouteCannotReadTheServicesOwnEnvironment() throws Exception {
        StoredRoutes before = newest();
        String home = System.getenv("HOME");
        for (String reference : new String[]{"${HOME}", "${HOME:/nowhere}", "${SLIPWAY_NO_SUCH_VARIABLE_IN_LIST_X}"}) {
            String answer = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                    .body(utf8("receivers:\n  - name: leak\n    dingtalk: {url: 'http://127.0.0.1:9/x?access_token=" + reference + "'}\n"))
                    .put(ROUTES).then().statusCode(400).body("field", equalTo("receivers[0].dingtalk.url")).extract().asString();
            String name = reference.substring(2, reference.length() - 1).split(":")[0];
            assertThat(answer).contains("environment variable " + name + " may not be read by routes (allowed: SLIPWAY_SINK_*");
            if (home != null) {
                assertThat(answer).doesNotContain(home);
            }
        }
        assertThat(newest().version()).isEqualTo(before.version());
    }

    @Test
    void theAnswersToAWriteAndAListingNameTheReceiversAndNoServerPath() {
        String answer = yaml(Role.operator, "receivers: [{name: console, stdout: {}}]\nroute: {match: [{receiver: console}]}\n");
        assertThat(answer).contains("\"console\"").doesNotContain("\"file\"").doesNotContain(file.toString())
                .doesNotContain(file.toAbsolutePath().toString());
        String listing = given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/sinks").then().statusCode(200)
                .extract().asString();
        assertThat(listing).contains("\"console\"").doesNotContain(file.toAbsolutePath().getParent().toString());
    }

    @Test
    void aFileSinkCannotWriteOutsideItsDirectory() throws Exception {
        StoredRoutes before = newest();
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(utf8("receivers:\n  - name: out\n    file: {path: /etc/cron.d/slipway}\n")).put(ROUTES)
                .then().statusCode(400).body("field", equalTo("receivers[0].file.path"))
                .body("error", containsString("is outside the directory file sinks may write in"));
        assertThat(newest().version()).isEqualTo(before.version());
    }

    @Test
    void onlyOperatorsWriteAndOnlyHoldersOfATokenRead() {
        given().contentType("application/yaml").body(utf8("# x\n")).put(ROUTES).then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).contentType("application/yaml").body(utf8("# x\n")).put(ROUTES)
                .then().statusCode(403);
        given().get(ROUTES).then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).contentType("application/json").body("{\"from\":\"earliest\"}")
                .post("/api/v1/sinks/console/replay").then().statusCode(403);
    }

    @Test
    void aFileChangedOnDiskComesIntoForce() throws Exception {
        Files.writeString(file, "receivers: [{name: edited-on-disk, stdout: {}}]\nroute: {match: [{receiver: edited-on-disk}]}\n");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().header("Authorization", TestTokens.bearer(Role.viewer))
                .get(ROUTES).then().body(containsString("edited-on-disk")));
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/sinks").then().body("sinks.name", hasItem("edited-on-disk"));
    }

    @Test
    void replayNeedsAKnownSinkAndAClearStartingPoint() {
        yaml(Role.operator, "receivers: [{name: console, stdout: {}}]\nroute: {match: [{receiver: console}]}\n");
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json").body("{\"from\":\"earliest\"}")
                .post("/api/v1/sinks/nope/replay").then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json").body("{\"from\":\"yesterday\"}")
                .post("/api/v1/sinks/console/replay").then().statusCode(400).body("field", equalTo("from"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json").body("{}")
                .post("/api/v1/sinks/console/replay").then().statusCode(400).body("error", not(containsString("Exception")));
    }
}
