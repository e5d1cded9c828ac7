package io.slipway.infra.request;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.deploy.Deleted;
import io.slipway.events.deploy.PoolWanted;
import io.slipway.events.deploy.WantedRole;
import io.slipway.events.infra.PoolRefused;
import io.slipway.events.infra.PoolResized;
import io.slipway.infra.pool.Pool;
import io.slipway.infra.pool.PoolRequest;
import io.slipway.infra.pool.Pools;
import io.slipway.backbone.EventContext;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * infra-svc's half of the hand-off, over the real broker and database: deploy-svc's {@code PoolWanted} (produced here
 * on slipway.deploy.events as deploy-svc's outbox publishes it) makes the cluster's pool, also behind a predecessor of
 * that name still being released; a pool that can never be made is refused with the field ({@code PoolRefused}), so the
 * cluster learns why; the cluster's {@code Deleted} naming the pool releases it, and a {@code Deleted} of a cluster on
 * listed hosts touches no pool of that name.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "infra"))
class DeployHandoffTest {

    static void publish(String cluster, SpecificRecord event) {
        KafkaTopics.produce("slipway.deploy.events", cluster, EventCodec.released().encode(event), Map.of(EventHeaders.EVENT_ID,
                UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, event.getSchema().getName(),
                EventHeaders.CORRELATION_ID, UUID.randomUUID().toString()));
    }

    static PoolWanted wanted(String cluster, String provider, int masters) {
        return PoolWanted.newBuilder().setCluster(cluster).setGeneration(1).setPoolId(cluster).setProvider(provider)
                .setRoles(List.of(WantedRole.newBuilder().setRole("master").setCount(masters).build())).setRequestedBy("alice")
                .setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    }

    static Deleted deleted(String cluster, String poolId) {
        return Deleted.newBuilder().setCluster(cluster).setGeneration(2).setPoolId(poolId).setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    }

    static Optional<JsonPath> pool(String id) {
        var r = given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/infra/pools/" + id);
        return r.statusCode() == 200 ? Optional.of(r.jsonPath()) : Optional.empty();
    }

    static JsonPath awaitPool(String id, String state) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> pool(id), p -> p.isPresent() && state.equals(p.get().getString("state"))).orElseThrow();
    }

    @Test
    void aClustersPoolWantedMakesItsPoolAndItsDeletedReleasesIt() {
        PoolWanted first = wanted("handed", "sim", 2);
        publish("handed", first);
        JsonPath made = await().atMost(Duration.ofSeconds(60)).until(() -> pool("handed"), Optional::isPresent).orElseThrow();
        assertThat(made.getString("provider")).isEqualTo("sim");
        assertThat(made.getString("requestedBy")).isEqualTo("deploy-svc for cluster handed (alice)");
        assertThat(made.getList("roles.count", Integer.class)).containsExactly(2);
        // the simulated region's instances boot; their nodes get instances (they never answer SSH: not machines)
        await().atMost(Duration.ofSeconds(60)).until(() -> pool("handed").orElseThrow().getList("nodes.instanceId", String.class),
                ids -> ids.size() == 2 && ids.stream().allMatch(i -> i != null && !i.isEmpty()));

        // the cluster's Clusterfile grew: the pool gets a third node and is provisioned again; it does not shrink
        publish("handed", wanted("handed", "sim", 3));
        JsonPath grown = await().atMost(Duration.ofSeconds(60)).until(() -> pool("handed").orElseThrow(),
                p -> p.getList("roles.count", Integer.class).equals(List.of(3)));
        assertThat(grown.getString("state")).isEqualTo("Requested");
        assertThat(grown.getList("nodes")).hasSize(3);
        assertThat(lastOf("handed", PoolResized.class)).isPresent();
        publish("handed", wanted("handed", "sim", 1));
        PoolRefused smaller = await().atMost(Duration.ofSeconds(60)).until(() -> lastOf("handed", PoolRefused.class), Optional::isPresent)
                .orElseThrow();
        assertThat(smaller.getReason()).contains("role master has 3 node(s); a pool grows, it does not shrink");

        Deleted delete = deleted("handed", "handed");
        publish("handed", delete);
        JsonPath gone = awaitPool("handed", "Deleted");
        List<Map<String, Object>> nodes = gone.getList("nodes");
        assertThat(nodes).filteredOn(n -> n.get("instanceId") != null).isNotEmpty()
                .allSatisfy(n -> assertThat(n.get("state")).isEqualTo("Released"));

        // the topic replayed past the consumer's dedup retention (new event ids, the old events): nothing is made again
        publish("handed", first);
        awaitMarker("handed");
        assertThat(pool("handed").orElseThrow().getString("state")).isEqualTo("Deleted");
        // and the cluster made anew under the name keeps its pool when the old Deleted comes again
        publish("handed", wanted("handed", "sim", 1));
        awaitPool("handed", "Requested");
        publish("handed", delete);
        awaitMarker("handed");
        assertThat(pool("handed").orElseThrow().getString("state")).isEqualTo("Requested");
        publish("handed", deleted("handed", "handed"));
        awaitPool("handed", "Deleted");
    }

    /** Publishes a marker after what came before on the cluster's partition and waits until it was applied. */
    static void awaitMarker(String cluster) {
        String marker = "marker-" + UUID.randomUUID().toString().substring(0, 8);
        publish(cluster, wanted(marker, "gcp", 1));
        await().atMost(Duration.ofSeconds(60)).until(() -> lastOf(marker, PoolRefused.class), Optional::isPresent);
    }

    @Test
    void aPoolThatCanNeverBeMadeIsRefusedWithTheFieldAndNoPoolIsRecorded() {
        publish("nowhere", wanted("nowhere", "gcp", 1));
        PoolRefused refused = await().atMost(Duration.ofSeconds(60)).until(() -> lastOf("nowhere", PoolRefused.class), Optional::isPresent)
                .orElseThrow();
        assertThat(refused.getReason()).contains("spec.infra.provider", "'gcp' is not a configured provider", "sim");
        assertThat(refused.getRequestedBy()).isEqualTo("deploy-svc for cluster nowhere (alice)");
        assertThat(pool("nowhere")).isEmpty();
        // the name is free: the cluster applied again with a provider that exists gets its pool
        publish("nowhere", wanted("nowhere", "sim", 1));
        awaitPool("nowhere", "Requested");
        publish("nowhere", deleted("nowhere", "nowhere"));
        awaitPool("nowhere", "Deleted");

        // a pool of the name made by someone else, even of the same shape, is not handed to the cluster and stays as it is
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"poolId\":\"taken\",\"provider\":\"sim\",\"roles\":[{\"role\":\"master\",\"count\":1}]}")
                .post("/api/v1/infra/pools").then().statusCode(202);
        publish("taken", wanted("taken", "sim", 1));
        PoolRefused conflict = await().atMost(Duration.ofSeconds(60)).until(() -> lastOf("taken", PoolRefused.class), Optional::isPresent)
                .orElseThrow();
        assertThat(conflict.getReason()).contains("a pool named taken already exists", "requested by test-operator");
        JsonPath kept = pool("taken").orElseThrow();
        assertThat(kept.getString("requestedBy")).doesNotStartWith("deploy-svc");
        assertThat(kept.getString("state")).isNotIn("Deleting", "Deleted");
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/infra/pools/taken").then().statusCode(202);
        awaitPool("taken", "Deleted");
    }

    @Inject
    Pools pools;

    @Test
    void aPoolWantedAgainWhileItsPredecessorIsBeingDeletedIsMadeOnceThatOneIsGone() throws Throwable {
        PoolRequest first = new PoolRequest("again", "sim", List.of(new PoolRequest.RoleRequest("master", 1, null, null)));
        PoolRequest second = new PoolRequest("again", "sim", List.of(new PoolRequest.RoleRequest("master", 2, null, null)));
        EventContext context = EventContext.newRequest(null);
        // the cluster deleted and applied again at once: the new request meets its pool still being released (called
        // directly, one after the other, so no worker can finish the delete in between)
        Pool waiting = VertxContextSupport.subscribeAndAwait(() -> pools.request(first, "test", context)
                .chain(() -> pools.requestDelete("again"))
                .chain(() -> pools.requestAfterDelete(second, "deploy-svc for cluster again (alice)", context)));
        assertThat(waiting.state).isEqualTo(Pool.State.Deleting);
        assertThat(waiting.successorRequest).contains("\"count\":2", "\"correlationId\"");
        JsonPath next = awaitPool("again", "Requested");
        assertThat(next.getList("roles.count", Integer.class)).containsExactly(2);
        assertThat(next.getString("requestedBy")).isEqualTo("deploy-svc for cluster again (alice)");
        List<String> types = KafkaTopics.readAll("slipway.infra.events").stream().filter(r -> "again".equals(r.key()))
                .map(r -> KafkaTopics.header(r, EventHeaders.EVENT_TYPE)).filter(t -> t.startsWith("Pool")).toList();
        assertThat(types).containsSubsequence("PoolRequested", "PoolDeleted", "PoolRequested");
        publish("again", deleted("again", "again"));
        awaitPool("again", "Deleted");
    }

    @Test
    void theDeleteOfAClusterOnListedHostsLeavesAPoolOfItsNameAlone() {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"poolId\":\"listed\",\"provider\":\"sim\",\"roles\":[{\"role\":\"node\",\"count\":1}]}")
                .post("/api/v1/infra/pools").then().statusCode(202);
        publish("listed", deleted("listed", null));
        awaitMarker("listed");
        assertThat(pool("listed").orElseThrow().getString("state")).isNotIn("Deleting", "Deleted");
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/infra/pools/listed").then().statusCode(202);
        awaitPool("listed", "Deleted");
    }

    static <T extends SpecificRecord> Optional<T> lastOf(String poolId, Class<T> type) {
        T last = null;
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll("slipway.infra.events")) {
            if (poolId.equals(r.key()) && type.getSimpleName().equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))) {
                last = EventCodec.released().decode(r.value(), type);
            }
        }
        return Optional.ofNullable(last);
    }
}
