package io.slipway.infra.pool;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.infra.PoolReady;
import io.slipway.infra.provision.Reaper;
import io.slipway.infra.provision.SimulatedAwsProviders;
import io.slipway.provision.aws.Ec2Tags;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import io.slipway.testkit.ec2.RunInstances;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulationRecord;
import io.slipway.testkit.ec2.SimulationRecord.InstanceLife;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Pools end to end inside infra-svc: REST and CI commands in, the real aws provider (AWS SDK v2 over HTTP) against the
 * test kit's simulated EC2 region, the events out through the outbox, and the simulation's own record as the judge of
 * what was created, how often and what is left.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "infra"))
class PoolProvisioningTest {
    static final String EVENTS = "slipway.infra.events";

    @Inject
    Reaper reaper;

    @Test
    void aPoolBecomesReadyWithEveryNodesHostKeyAndDeletingItReleasesEverything() {
        String body = "{\"poolId\":\"etcd-a\",\"provider\":\"sim\",\"roles\":[{\"role\":\"master\",\"count\":3},{\"role\":\"node\",\"count\":2,\"size\":\"c5.large\"}]}";
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/infra/pools").then().statusCode(202)
                .header("Location", containsString("/api/v1/infra/pools/etcd-a")).body("state", equalTo("Requested"));
        // asking again is answered with the same pool; another shape under the same id is a conflict
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/infra/pools").then().statusCode(202).body("id", equalTo("etcd-a"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body(body.replace("\"count\":3", "\"count\":1")).post("/api/v1/infra/pools").then().statusCode(409)
                .body("error", containsString("etcd-a exists"));

        JsonPath ready = awaitState("etcd-a", "Ready");
        SimulatedEc2 region = SimulatedAwsProviders.REGIONS.get("sim");
        List<Map<String, Object>> nodes = ready.getList("nodes");
        assertThat(nodes).hasSize(5).allSatisfy(n -> {
            assertThat(n.get("state")).isEqualTo("Ready");
            assertThat((String) n.get("hostKey")).isEqualTo(region.sshHostKey((String) n.get("instanceId")).orElseThrow());
        });
        List<InstanceLife> made = instancesOf(region, "etcd-a");
        assertThat(made).as("one instance per node, none twice").hasSize(5);
        assertThat(made).filteredOn(i -> "node".equals(i.role())).allSatisfy(i -> assertThat(i.instanceType()).isEqualTo("c5.large"));
        assertThat(made.stream().map(InstanceLife::token).distinct()).as("one create per role").hasSize(2);

        List<ConsumerRecord<String, byte[]>> events = await().atMost(Duration.ofSeconds(60))
                .until(() -> eventsOf("etcd-a"), l -> types(l).contains("PoolReady"));
        assertThat(types(events)).containsSubsequence("PoolRequested", "NodeRequested", "NodeCreating", "NodeLaunched", "NodeRunning", "NodeReady", "PoolReady");
        assertThat(types(events).stream().filter("NodeReady"::equals)).hasSize(5);
        PoolReady handOff = EventCodec.released().decode(events.stream().filter(r -> type(r).equals("PoolReady")).findFirst().orElseThrow().value(), PoolReady.class);
        assertThat(handOff.getNodes()).hasSize(5).allSatisfy(n -> {
            assertThat(n.getHostKey()).startsWith("ssh-");
            assertThat(n.getUser()).isEqualTo("ec2-user");
        });

        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/infra/pools/etcd-a").then().statusCode(202);
        awaitState("etcd-a", "Deleted");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            SimulationRecord now = region.record();
            return now.ofPool("etcd-a").stream().noneMatch(i -> i.aliveAt(now.at()));
        });
        List<ConsumerRecord<String, byte[]>> after = await().atMost(Duration.ofSeconds(60))
                .until(() -> eventsOf("etcd-a"), l -> types(l).contains("PoolDeleted"));
        assertThat(types(after).stream().filter("NodeReleased"::equals)).hasSize(5);
    }

    @Test
    void lostResponsesAndATightQuotaNeitherDuplicateNorLoseANode() {
        create("lossy-a", "lossy", 6);
        create("tight-a", "tight", 12);
        awaitState("lossy-a", "Ready");
        awaitState("tight-a", "Ready");
        SimulatedEc2 lossy = SimulatedAwsProviders.REGIONS.get("lossy");
        assertThat(instancesOf(lossy, "lossy-a")).as("a create repeated after a lost answer made nothing twice").hasSize(6);
        assertThat(lossy.record().errors().getOrDefault("RequestTimeout", 0L)).as("the simulation did lose answers").isPositive();
        SimulatedEc2 tight = SimulatedAwsProviders.REGIONS.get("tight");
        assertThat(instancesOf(tight, "tight-a")).hasSize(12);
    }

    @Test
    void aCiCommandCreatesAPoolAndABadOneGoesToTheDeadLetters() {
        KafkaTopics.produce("slipway.infra.requests", "ci-a", commandBytes("ci-a", "sim", 2), Map.of(EventHeaders.EVENT_ID,
                java.util.UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "RequestPool", EventHeaders.AUTHORIZATION,
                TestTokens.bearer(Role.operator)));
        KafkaTopics.produce("slipway.infra.requests", "ci-bad", commandBytes("ci-bad", "gcp", 2), Map.of(EventHeaders.EVENT_ID,
                java.util.UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "RequestPool", EventHeaders.AUTHORIZATION,
                TestTokens.bearer(Role.operator)));
        awaitState("ci-a", "Ready");
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(60))
                .until(() -> KafkaTopics.readAll("slipway.infra.requests.dlq").stream().filter(r -> "ci-bad".equals(r.key())).toList(), l -> !l.isEmpty())
                .get(0);
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_REASON)).contains("provider").contains("'gcp' is not a configured provider");
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/infra/pools/ci-bad").then().statusCode(404);
    }

    @Test
    void theReaperReleasesAnInstanceNoPoolWants() {
        SimulatedEc2 region = SimulatedAwsProviders.REGIONS.get("sim");
        String stray = region.runInstances(new RunInstances("ami-0123456789abcdef0", "m5.large", 1, 1,
                Map.of(Ec2Tags.POOL, "gone-pool", Ec2Tags.ROLE, "node", Ec2Tags.TOKEN, "slw-stray"), null, null, List.of(), "slw-stray"))
                .instances().get(0).instanceId();
        List<String> released = await().atMost(Duration.ofSeconds(30)).until(() -> reaper.reap(), l -> l.contains(stray));
        assertThat(released).contains(stray);
        assertThat(await().atMost(Duration.ofSeconds(30)).until(() -> eventsOf("gone-pool"), l -> types(l).contains("NodeReleased"))).isNotEmpty();
    }

    @Test
    void badRequestsAreA400NamingTheField() {
        given().header("Authorization", TestTokens.bearer(Role.viewer)).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/infra/pools").then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"poolId\":\"p\",\"provider\":\"sim\",\"roles\":[{\"role\":\"node\",\"count\":0}]}")
                .post("/api/v1/infra/pools").then().statusCode(400).body("field", equalTo("roles[0].count"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"poolId\":\"p\",\"provider\":\"nope\",\"roles\":[{\"role\":\"node\",\"count\":1}]}")
                .post("/api/v1/infra/pools").then().statusCode(400).body("field", equalTo("provider")).body("error", containsString("sim"));
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/infra/pools/none").then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/infra/pools/none").then().statusCode(404);
    }

    private static void create(String pool, String provider, int nodes) {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"poolId\":\"" + pool + "\",\"provider\":\"" + provider + "\",\"roles\":[{\"role\":\"node\",\"count\":" + nodes + "}]}")
                .post("/api/v1/infra/pools").then().statusCode(202);
    }

    private static byte[] commandBytes(String pool, String provider, int count) {
        io.slipway.events.infra.RequestPool command = io.slipway.events.infra.RequestPool.newBuilder().setPoolId(pool).setProvider(provider)
                .setRoles(List.of(io.slipway.events.infra.RoleRequest.newBuilder().setRole("node").setCount(count).build()))
                .setRequestedBy("ci").build();
        return EventCodec.released().encode(command);
    }

    static JsonPath awaitState(String pool, String state) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> given()
                .header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/infra/pools/" + pool).then().extract().jsonPath(),
                j -> {
                    assertThat(j.getString("state")).as("pool %s: %s", pool, j.getString("failureReason")).isNotEqualTo("Failed");
                    return state.equals(j.getString("state"));
                });
    }

    static List<InstanceLife> instancesOf(SimulatedEc2 region, String pool) {
        return region.record().ofPool(pool);
    }

    static List<ConsumerRecord<String, byte[]>> eventsOf(String pool) {
        return KafkaTopics.readAll(EVENTS).stream().filter(r -> pool.equals(r.key())).toList();
    }

    static List<String> types(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(PoolProvisioningTest::type).toList();
    }

    static String type(ConsumerRecord<String, byte[]> r) {
        return KafkaTopics.header(r, EventHeaders.EVENT_TYPE);
    }
}
