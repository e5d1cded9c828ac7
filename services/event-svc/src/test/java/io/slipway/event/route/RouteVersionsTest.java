package io.slipway.event.route;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.event.RoutesChanged;
import io.slipway.outbound.OutboundPolicy;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.Infra;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The routing's versions in the database and their {@code RoutesChanged} events on {@code slipway.event.events}, in the
 * running service: a PUT stores one version and publishes one event that holds no secret; another instance (a second
 * {@link RouteStore} over the same database, as a second pod would have) ends with the same routing through the event
 * or through its periodic check; an invalid PUT stores and publishes nothing; a routes file read by two instances at
 * once is imported once. The test profile checks the database only every 5 minutes, so the running service can only
 * follow another instance's write within the test's wait through the event.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "event"))
class RouteVersionsTest {
    private static final String ROUTES = "/api/v1/sinks/routes";
    private static final String TOPIC = "slipway.event.events";
    private static final EventCodec CODEC = EventCodec.released();

    @Inject
    RouteHistory history;
    @Inject
    RouteService service;
    @Inject
    RoutesConfig config;
    @Inject
    BackboneConfig backbone;
    @Inject
    OutboundPolicy outbound;

    private final List<RouteStore> others = new ArrayList<>();

    /** Another instance's store over the same database: no file, no watcher; checked and fed events by the test. */
    private RouteStore anotherInstance(Optional<Path> file) {
        RouteStore store = new RouteStore(history, RouteService.parser(config, RouteService.Locations.of(config, backbone.dataDir())),
                Duration.ofMinutes(5), RouteService.reachableUnder(outbound), file);
        others.add(store);
        return store;
    }

    @AfterEach
    void nothingRouted() {
        others.forEach(RouteStore::close);
        put("# nothing routed\n").then().statusCode(200);
    }

    private static io.restassured.response.Response put(String yaml) {
        return given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(yaml.getBytes(StandardCharsets.UTF_8)).put(ROUTES);
    }

    private static String stdout(String receiver) {
        return "receivers: [{name: " + receiver + ", stdout: {}}]\nroute: {match: [{reason: '^NeverGiven$', receiver: " + receiver + "}]}\n";
    }

    /** The RoutesChanged events on the topic, each with its record. */
    private static List<ConsumerRecord<String, byte[]>> routesChanged() {
        return KafkaTopics.readAll(TOPIC).stream().filter(r -> "RoutesChanged".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))).toList();
    }

    private static RoutesChanged decoded(ConsumerRecord<String, byte[]> r) {
        return CODEC.decode(r.value(), RoutesChanged.class);
    }

    private static List<ConsumerRecord<String, byte[]>> eventsOf(long version) {
        return routesChanged().stream().filter(r -> decoded(r).getVersion() == version).toList();
    }

    private static boolean holds(byte[] bytes, String text) {
        return bytes != null && new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
    }

    @Test
    void aPutStoresOneVersionAndPublishesOneEventWithoutTheSecrets() throws Exception {
        String secret = "Canary-" + UUID.randomUUID().toString().replace("-", "");
        long before = history.newest().map(StoredRoutes::version).orElse(0L);
        put("""
                route:
                  match: [{reason: '^NeverGiven$', receiver: oncall}]
                receivers:
                  - name: oncall
                    dingtalk: {url: 'http://127.0.0.1:9/robot/send?access_token=%1$s', secret: '%1$s'}
                  - name: hook
                    webhook: {url: 'http://ops:%1$s@127.0.0.1:9/hook', secret: '%1$s', headers: {Authorization: 'Bearer %1$s'}}
                """.formatted(secret)).then().statusCode(200);
        long version = before + 1;
        assertThat(history.newest().orElseThrow().version()).isEqualTo(version);

        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(version).isEmpty());
        List<ConsumerRecord<String, byte[]>> events = eventsOf(version);
        assertThat(events).as("one event for the version").hasSize(1);
        ConsumerRecord<String, byte[]> record = events.getFirst();
        RoutesChanged changed = decoded(record); // with the released schemas, as any reader of the topic decodes it
        assertThat(record.key()).isEqualTo(RouteHistory.AGGREGATE);
        assertThat(changed.getReceivers()).containsExactly("oncall", "hook");
        assertThat(changed.getChangedBy()).isEqualTo("test-operator");
        assertThat(changed.getDigest()).matches("[0-9a-f]{64}").isEqualTo(history.newest().orElseThrow().digest());
        assertThat(holds(record.value(), secret)).as("the event's value holds the secret").isFalse();
        assertThat(holds(record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), secret)).isFalse();
        for (Header h : record.headers()) {
            assertThat(holds(h.value(), secret)).as("header " + h.key()).isFalse();
        }
        assertThat(CODEC.toJson(record.value())).doesNotContain(secret);

        // sealed at rest: the table holds neither the secret nor the document
        Infra infra = SlipwayInfra.get();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl("event"), infra.dbUser(), infra.dbPassword());
             ResultSet rs = c.createStatement().executeQuery("select document, digest, changed_by from route_version where version = " + version)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("sealed:v1:").doesNotContain(secret).doesNotContain("dingtalk");
            assertThat(rs.getString(2) + rs.getString(3)).doesNotContain(secret);
        }
        // in force here, shown masked
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get(ROUTES).then().statusCode(200)
                .body(containsString("access_token=******")).body(org.hamcrest.Matchers.not(containsString(secret)));
    }

    @Test
    void anotherInstanceEndsWithTheSameRoutingThroughTheEventOrItsCheck() {
        RouteStore other = anotherInstance(Optional.empty());
        other.check();
        RouteStore running = service.store();

        // through the event: version 1 of this test, written by the running service, read back by the other instance
        put(stdout("by-event")).then().statusCode(200);
        long byEvent = running.version();
        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(byEvent).isEmpty());
        assertThat(other.follow(decoded(eventsOf(byEvent).getFirst()).getVersion())).isTrue();
        assertThat(other.version()).isEqualTo(byEvent);
        assertThat(other.current().text()).isEqualTo(running.current().text());
        assertThat(other.current().receiver("by-event")).isPresent();

        // through the check alone: no event handed over, the database is asked
        put(stdout("by-check")).then().statusCode(200);
        assertThat(other.check()).isTrue();
        assertThat(other.version()).isEqualTo(running.version());
        assertThat(other.current().text()).isEqualTo(running.current().text());

        // and the other way round: the other instance writes, the running service follows its event (its own periodic
        // check is minutes away in this profile)
        other.replace(stdout("from-the-other"), "ops-elsewhere", EventContext.newRequest(null));
        await().atMost(Duration.ofSeconds(60)).until(() -> running.version() == other.version());
        assertThat(running.current().text()).isEqualTo(other.current().text());
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/sinks").then().statusCode(200)
                .body("sinks.name", org.hamcrest.Matchers.hasItem("from-the-other"));
    }

    @Test
    void anInvalidPutStoresNothingAndPublishesNothing() {
        put(stdout("valid-before")).then().statusCode(200);
        long valid = history.newest().orElseThrow().version();
        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(valid).isEmpty());
        int eventsBefore = routesChanged().size();

        put("route:\n  match: [{receiver: nobody}]\nreceivers: []\n").then().statusCode(400).body("error", containsString("nobody"));
        put("receivers: [{name: far, webhook: {url: 'http://10.255.0.1/hook'}}]\nroute: {match: [{receiver: far}]}\n").then().statusCode(400);
        assertThat(history.newest().orElseThrow().version()).isEqualTo(valid);
        assertThat(service.store().current().receiver("valid-before")).isPresent();

        // the relay publishes in commit order: once a later version's event is there, anything before it would be too
        put(stdout("valid-after")).then().statusCode(200);
        long after = history.newest().orElseThrow().version();
        assertThat(after).isEqualTo(valid + 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(after).isEmpty());
        assertThat(routesChanged()).hasSize(eventsBefore + 1);
    }

    @Test
    void aRoutesFileReadByTwoInstancesAtOnceIsImportedOnce() throws Exception {
        Path file = Path.of("target", "route-versions", UUID.randomUUID() + ".yaml").toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, stdout("from-file"));
        RouteStore first = anotherInstance(Optional.of(file));
        RouteStore second = anotherInstance(Optional.of(file));
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Boolean> a = CompletableFuture.supplyAsync(() -> importAfter(together, first));
        CompletableFuture<Boolean> b = CompletableFuture.supplyAsync(() -> importAfter(together, second));
        assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);

        String by = StoredRoutes.importedFrom(file);
        List<StoredRoutes> imported = history.list().stream().filter(v -> v.changedBy().equals(by)).toList();
        assertThat(imported).hasSize(1);
        long version = imported.getFirst().version();
        await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(version).isEmpty());
        assertThat(routesChanged().stream().filter(r -> decoded(r).getChangedBy().equals(by))).hasSize(1);
        // the one that did not store it learns of it as any instance does
        first.check();
        second.check();
        assertThat(first.version()).isEqualTo(second.version()).isEqualTo(version);
        assertThat(first.current().text()).isEqualTo(second.current().text()).contains("from-file");

        // an instance started later reads the same file again: nothing new
        assertThat(anotherInstance(Optional.of(file)).importFile()).isFalse();
        assertThat(history.list().stream().filter(v -> v.changedBy().equals(by))).hasSize(1);
    }

    private static boolean importAfter(CyclicBarrier together, RouteStore store) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return store.importFile();
    }
}
