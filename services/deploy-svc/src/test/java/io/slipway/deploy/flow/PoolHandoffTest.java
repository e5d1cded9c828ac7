package io.slipway.deploy.flow;

import io.slipway.testkit.Needs;
import static io.restassured.RestAssured.given;
import static io.slipway.deploy.flow.ClusterCalls.apply;
import static io.slipway.deploy.flow.ClusterCalls.awaitSettled;
import static io.slipway.deploy.flow.ClusterCalls.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.slipway.backbone.EventHeaders;
import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.deploy.operation.DeployWorker;
import io.slipway.events.deploy.Deleted;
import io.slipway.events.deploy.PoolAssigned;
import io.slipway.events.deploy.PoolWanted;
import io.slipway.events.infra.PoolFailed;
import io.slipway.events.infra.PoolReady;
import io.slipway.events.infra.PoolRefused;
import io.slipway.events.infra.ReadyNode;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import io.slipway.provision.ssh.SshProbe;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hand-off from infra-svc, against real hosts, Kafka and PostgreSQL: a Clusterfile with an infra section asks for
 * its pool (PoolWanted on slipway.deploy.events) and waits; the PoolReady infra-svc publishes on slipway.infra.events
 * (produced here with the nodes' real addresses and host keys) makes the nodes its hosts, pinned to those keys, and the
 * install runs; a wrong key is refused rather than trusted; a failed pool fails the cluster with its reason; deleting the
 * cluster names the pool to release.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "deploy"))
class PoolHandoffTest {
    static final String IMAGE = "handoff/app:v1";
    static HostFleet fleet;

    @Inject
    DeployWorker worker;

    @BeforeAll
    static void hostsAndImage() throws Exception {
        Needs.machine(HostFleet.available(), "needs test hosts: root (namespaces) or user namespaces (embedded)");
        fleet = HostFleet.builder().hosts(3).build();
        Path ctx = Files.createTempDirectory("handoff-image");
        Files.createDirectories(ctx.resolve("hooks/master"));
        Files.createDirectories(ctx.resolve("hooks/clean"));
        Files.writeString(ctx.resolve("hooks/master/10-up.sh"), "echo up > /var/lib/slipway/up-$SLIPWAY_CLUSTER\n");
        Files.writeString(ctx.resolve("hooks/clean/10-down.sh"), "rm -f /var/lib/slipway/up-$SLIPWAY_CLUSTER\n");
        Files.writeString(ctx.resolve("Kubefile"), "FROM scratch\nCOPY hooks hooks\n");
        new CloudImageBuilder(ImageStore.open(Path.of("target/deploy-test-build-store")))
                .build(BuildSpec.builder(ctx).tag(IMAGE).platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static String clusterfile(String name, int masters, int nodes) {
        return """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: %s
                spec:
                  image: %s
                  infra:
                    provider: local
                    masters: {count: %d}
                    nodes: {count: %d}
                """.formatted(name, IMAGE, masters, nodes);
    }

    static <T extends SpecificRecord> List<T> events(String cluster, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll("slipway.deploy.events")) {
            if (cluster.equals(r.key()) && type.getSimpleName().equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))) {
                out.add(EventCodec.released().decode(r.value(), type));
            }
        }
        return out;
    }

    /** Publishes as infra-svc would, keyed by {@code key} (infra-svc keys by pool id; a test may put a marker behind). */
    static void publish(String key, SpecificRecord event) {
        KafkaTopics.produce("slipway.infra.events", key, EventCodec.released().encode(event), Map.of(EventHeaders.EVENT_ID,
                UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, event.getSchema().getName(),
                EventHeaders.CORRELATION_ID, UUID.randomUUID().toString()));
    }

    static ReadyNode node(String poolId, String role, int ordinal, TestHost host, String hostKey) {
        return ReadyNode.newBuilder().setNodeId(poolId + "-" + role + "-" + ordinal).setRole(role).setInstanceId("local-" + host.name())
                .setAddress(host.address()).setSshPort(host.port()).setHostKey(hostKey).setUser("root")
                .setKeyFile(fleet.clientKey().toAbsolutePath().toString()).build();
    }

    static String realKey(TestHost host) {
        try (SshProbe probe = new SshProbe(Duration.ofSeconds(5))) {
            return probe.hostKey(host.address(), host.port()).orElseThrow();
        }
    }

    static PoolReady ready(String poolId, ReadyNode... nodes) {
        return PoolReady.newBuilder().setPoolId(poolId).setProvider("local").setNodes(List.of(nodes))
                .setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build();
    }

    @Test
    void aClusterWaitsForItsPoolThenInstallsOnItsNodesAndItsDeleteNamesThePool() throws Exception {
        TestHost master = fleet.hosts().get(0);
        TestHost node = fleet.hosts().get(1);
        // a dry run says which pool the apply would ask for, and asks for nothing
        var plan = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(clusterfile("pooled", 1, 1).getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/deploy/clusters/apply?dryRun=true").then().statusCode(200).extract().jsonPath();
        assertThat(plan.getString("pool.provider")).isEqualTo("local");
        assertThat(plan.getList("pool.roles.count", Integer.class)).containsExactly(1, 1);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/pooled").then().statusCode(404);
        apply(clusterfile("pooled", 1, 1)).then().statusCode(202);
        Map<String, Object> waiting = cluster("pooled");
        assertThat(waiting.get("state")).isEqualTo("Installing");
        assertThat(waiting.get("pending")).isEqualTo(true);
        assertThat((String) waiting.get("message")).contains("waiting for pool pooled from infra-svc (provider local: 1 master, 1 node)");
        PoolWanted wanted = await().atMost(Duration.ofSeconds(30)).until(() -> events("pooled", PoolWanted.class), l -> !l.isEmpty()).get(0);
        assertThat(wanted.getPoolId()).isEqualTo("pooled");
        assertThat(wanted.getProvider()).isEqualTo("local");
        assertThat(wanted.getRoles()).extracting(r -> r.getRole() + "=" + r.getCount()).containsExactly("master=1", "node=1");
        // nothing is installed while the pool is awaited, and a second request meets the waiting operation
        apply(clusterfile("pooled", 1, 1)).then().statusCode(409);

        publish("pooled", ready("pooled", node("pooled", "node", 0, node, realKey(node)), node("pooled", "master", 0, master, realKey(master))));
        Map<String, Object> ready = awaitSettled("pooled");
        assertThat(ready.get("state")).as(String.valueOf(ready.get("message"))).isEqualTo("Ready");
        assertThat((List<Map<String, Object>>) ready.get("hosts")).extracting(h -> h.get("ip"))
                .containsExactly(master.address(), node.address());
        assertThat(master.path("/var/lib/slipway/up-pooled")).exists();
        PoolAssigned assigned = events("pooled", PoolAssigned.class).get(0);
        assertThat(assigned.getMasters()).containsExactly(master.address());
        assertThat(assigned.getNodes()).containsExactly(node.address());

        // the same file again changes nothing; another pool shape for a live cluster is refused with the field, and so is
        // a listed host joined with no credentials to log in to it
        apply(clusterfile("pooled", 1, 1)).then().statusCode(200);
        Response join = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("nodes", List.of(fleet.hosts().get(2).address()))).post("/api/v1/deploy/clusters/pooled/join");
        assertThat(join.statusCode()).isEqualTo(400);
        assertThat(join.asString()).contains("give the Clusterfile's spec.ssh credentials");

        // a larger infra section grows the pool: the new node is installed, the others keep what they have
        TestHost third = fleet.hosts().get(2);
        apply(clusterfile("pooled", 1, 2)).then().statusCode(202);
        assertThat((String) cluster("pooled").get("message")).contains("waiting for pool pooled to grow");
        PoolWanted grown = await().atMost(Duration.ofSeconds(30)).until(() -> events("pooled", PoolWanted.class), l -> l.size() == 2).get(1);
        assertThat(grown.getRoles()).extracting(r -> r.getRole() + "=" + r.getCount()).containsExactly("master=1", "node=2");
        publish("pooled", ready("pooled", node("pooled", "master", 0, master, realKey(master)), node("pooled", "node", 0, node, realKey(node)),
                node("pooled", "node", 1, third, realKey(third))));
        Map<String, Object> bigger = awaitSettled("pooled");
        assertThat(bigger.get("state")).as(String.valueOf(bigger.get("message"))).isEqualTo("Ready");
        assertThat((List<Map<String, Object>>) bigger.get("hosts")).extracting(h -> h.get("ip"))
                .containsExactly(master.address(), node.address(), third.address());
        assertThat(events("pooled", PoolAssigned.class).get(1).getNodes()).containsExactly(node.address(), third.address());

        // a pool does not shrink (yet), and one that cannot grow leaves the cluster on the nodes it has
        Response smaller = apply(clusterfile("pooled", 1, 1));
        assertThat(smaller.statusCode()).isEqualTo(400);
        assertThat(smaller.asString()).contains("spec.infra", "can grow", "not shrink");
        apply(clusterfile("pooled", 1, 3)).then().statusCode(202);
        publish("pooled", PoolRefused.newBuilder().setPoolId("pooled").setRequestedBy("deploy-svc for cluster pooled")
                .setReason("pool pooled: the region has no capacity left").setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build());
        Map<String, Object> kept = awaitSettled("pooled");
        assertThat(kept.get("state")).isEqualTo("Degraded");
        assertThat((String) kept.get("message")).contains("could not grow", "no capacity left", "keeps its 3 node(s)");
        assertThat((List<?>) kept.get("hosts")).hasSize(3);
        apply(clusterfile("pooled", 1, 2)).then().statusCode(202);
        assertThat(awaitSettled("pooled").get("state")).isEqualTo("Ready");

        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/deploy/clusters/pooled").then().statusCode(202);
        assertThat(awaitSettled("pooled").get("state")).isEqualTo("Deleted");
        Deleted deleted = await().atMost(Duration.ofSeconds(30)).until(() -> events("pooled", Deleted.class), l -> !l.isEmpty()).get(0);
        assertThat(deleted.getPoolId()).as("infra-svc releases the pool this names").isEqualTo("pooled");
        assertThat(master.path("/var/lib/slipway/up-pooled")).doesNotExist();
        // the released nodes' addresses may go to new machines: their pins are forgotten
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(Path.of("target/deploy-svc-data/known_hosts")))
                .doesNotContain(master.address() + ":" + master.port() + " ", node.address() + ":" + node.port() + " ",
                        third.address() + ":" + third.port() + " "));
    }

    @Test
    void aHostKeyOtherThanTheOneInfraSvcRecordedIsRefusedNotTrusted() throws Exception {
        TestHost host = fleet.hosts().get(2);
        apply(clusterfile("pinned", 1, 0)).then().statusCode(202);
        String impostor = PublicKeyEntry.toString(KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic());
        publish("pinned", ready("pinned", node("pinned", "master", 0, host, impostor)));
        try {
            Map<String, Object> settled = awaitSettled("pinned");
            assertThat(settled.get("state")).isIn("Failed", "Degraded");
            assertThat((String) settled.get("message")).contains("host key changed");
            assertThat(host.path("/var/lib/slipway/up-pinned")).doesNotExist();
        } finally {
            // the pins outlive this class (the test hosts of the next one answer at the same addresses with the same keys)
            worker.pinHostKey(host.address(), host.port(), realKey(host));
        }
    }

    @Test
    void aFailedPoolFailsTheClusterWithItsReasonAndAClusterStillWaitingCanBeDeleted() {
        apply(clusterfile("doomed", 3, 0)).then().statusCode(202);
        publish("doomed", PoolFailed.newBuilder().setPoolId("doomed").setReason("spec.infra.provider: 'local' is not a configured provider")
                .setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build());
        Map<String, Object> failed = awaitSettled("doomed");
        assertThat(failed.get("state")).isEqualTo("Failed");
        assertThat((String) failed.get("message")).contains("pool doomed failed: spec.infra.provider: 'local' is not a configured provider");
        Response again = apply(clusterfile("doomed", 3, 0));
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.asString()).contains("never received its pool");

        apply(clusterfile("waiting", 1, 0)).then().statusCode(202);
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/deploy/clusters/waiting").then().statusCode(202);
        assertThat(awaitSettled("waiting").get("state")).isEqualTo("Deleted");
        assertThat(await().atMost(Duration.ofSeconds(30)).until(() -> events("waiting", Deleted.class), l -> !l.isEmpty()).get(0).getPoolId())
                .isEqualTo("waiting");
        // the pool that arrives after all is nobody's to install on; a sentinel cluster's failure, behind it on the same
        // partition, tells when deploy-svc has read it
        apply(clusterfile("sentinel", 1, 0)).then().statusCode(202);
        publish("waiting", ready("waiting", node("waiting", "master", 0, fleet.hosts().get(0), realKey(fleet.hosts().get(0)))));
        publish("waiting", PoolFailed.newBuilder().setPoolId("sentinel").setReason("marker")
                .setAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).build());
        assertThat(awaitSettled("sentinel").get("state")).isEqualTo("Failed");
        Map<String, Object> after = cluster("waiting");
        assertThat(after.get("state")).isEqualTo("Deleted");
        assertThat((List<?>) after.get("hosts")).isEmpty();
    }
}
