package io.slipway.deploy.flow;

import io.slipway.testkit.Needs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.backbone.EventHeaders;
import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.events.deploy.Upgraded;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.InsecureRegistries;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.store.ImageStore;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The acceptance: the example etcd CloudImage (examples/etcd, binaries from Debian's etcd-server) pushed to a
 * real registry, run onto 3 OpenSSH hosts, healthy with a key written on one host read on another; scale-up adds a
 * node whose hook checks the cluster through the members; an upgrade to v2 sends only the one changed layer; a host
 * cut during an apply leaves the cluster Degraded and the next apply heals it; delete --all leaves nothing.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "deploy"))
class EtcdAcceptanceTest {
    static HostFleet fleet;
    static EmbeddedRegistry registry;
    static String v1;
    static String v2;
    static long v2ChangedLayerBytes;

    @BeforeAll
    static void imagesAndHosts() throws Exception {
        Needs.machine(HostFleet.defaultKind().orElse(null) == HostFleet.Kind.NAMESPACES,
                "needs hosts with networks of their own (root: namespace hosts), as etcd members each listen on 127.0.0.1:2379");
        Needs.machine(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs Debian's etcd-server (CI installs it)");
        fleet = HostFleet.builder().hosts(4).build();
        Path work = Files.createTempDirectory("etcd-example");
        registry = EmbeddedRegistry.start(work.resolve("registry"));
        ImageStore store = ImageStore.open(work.resolve("store"));
        CloudImageBuilder builder = new CloudImageBuilder(store);
        for (String version : List.of("v1", "v2")) {
            Path ctx = work.resolve("ctx-" + version);
            Process p = new ProcessBuilder("bash", Path.of("../../examples/etcd/prepare.sh").toAbsolutePath().normalize().toString(),
                    ctx.toString(), version).redirectErrorStream(true).redirectOutput(work.resolve("prepare-" + version + ".log").toFile()).start();
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(work.resolve("prepare-" + version + ".log"))).isZero();
            builder.build(BuildSpec.builder(ctx).tag("etcd:" + version).platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE);
        }
        try (Registries registries = Registries.builder().defaults(InsecureRegistries.of(List.of())).build()) {
            ImageTransfer transfer = new ImageTransfer(registries, 4);
            v1 = registry.host() + "/examples/etcd:v1";
            v2 = registry.host() + "/examples/etcd:v2";
            transfer.push(store, local("etcd:v1"), Reference.parse(v1), TransferListener.NONE);
            transfer.push(store, local("etcd:v2"), Reference.parse(v2), TransferListener.NONE);
        }
        var m1 = store.manifest(store.resolve(local("etcd:v1")).orElseThrow().digest());
        var m2 = store.manifest(store.resolve(local("etcd:v2")).orElseThrow().digest());
        var changed = m2.layers().stream().filter(l -> !m1.layers().contains(l)).toList();
        assertThat(changed).as("v2 differs from v1 in exactly one layer").hasSize(1);
        v2ChangedLayerBytes = changed.get(0).size();
    }

    /** The store keeps names as docker normalizes them. */
    static String local(String name) {
        return Reference.parse(name).toString();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    static TestHost host(int i) {
        return fleet.hosts().get(i);
    }

    static String endpoints(int... hosts) {
        StringBuilder b = new StringBuilder();
        for (int h : hosts) {
            b.append(b.isEmpty() ? "" : ",").append("http://").append(host(h).address()).append(":2379");
        }
        return b.toString();
    }

    static Map<String, Object> awaitSettled(String name) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> !(Boolean) cluster(name).get("pending"));
        return cluster(name);
    }

    static Map<String, Object> cluster(String name) {
        return given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/" + name)
                .then().statusCode(200).extract().jsonPath().getMap("$");
    }

    static String clusterfile(String image, String extraEnv) {
        return """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: etcd
                spec:
                  image: %s
                  env: [%s]
                  ssh:
                    user: root
                    pk: %s
                  hosts:
                    - ips: [%s, %s, %s]
                      roles: [master]
                    - ips: [%s]
                      roles: [node]
                """.formatted(image, extraEnv, DeployFlowTest.inlineKey(fleet), host(0).address(), host(1).address(), host(2).address(),
                host(3).address());
    }

    /** A host's key as ssh-keygen -l names it: what an operator reads off the machine's console. */
    static String fingerprint(TestHost h) throws Exception {
        return org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(org.apache.sshd.common.config.keys.PublicKeyEntry
                .parsePublicKeyEntry(h.hostKey()).resolvePublicKey(null, Map.of(), null));
    }

    static void apply(String clusterfile, int status) {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(clusterfile.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/deploy/clusters/apply")
                .then().statusCode(status);
    }

    @Test
    void etcdRunsScalesUpgradesHealsAndIsDeleted() throws Exception {
        // run: 3 masters, key given inline as `slipway run --pk` sends it, hosts trusted on first use as the operator asks
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("name", "etcd", "image", v1, "masters", List.of(host(0).address(), host(1).address(), host(2).address()),
                        "privateKey", Files.readString(fleet.clientKey()), "trustOnFirstUse", true))
                .post("/api/v1/deploy/clusters/run").then().statusCode(202);
        assertThat(awaitSettled("etcd").get("state")).isEqualTo("Ready");
        assertThat(host(0).exec("etcdctl --endpoints=" + endpoints(0, 1, 2) + " endpoint health 2>&1"))
                .contains(host(0).address() + ":2379 is healthy", host(1).address() + ":2379 is healthy",
                        host(2).address() + ":2379 is healthy");
        host(0).exec("ETCDCTL_API=3 etcdctl --endpoints=" + endpoints(0) + " put slipway/greeting written-on-host-0");
        assertThat(host(2).exec("ETCDCTL_API=3 etcdctl --endpoints=" + endpoints(2) + " get --print-value-only slipway/greeting"))
                .contains("written-on-host-0");

        // scale-up: a node whose hook checks the cluster through the members
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("nodes", List.of(host(3).address()), "hostKeys", Map.of(host(3).address(), fingerprint(host(3)))))
                .post("/api/v1/deploy/clusters/etcd/join").then().statusCode(202);
        Map<String, Object> joined = awaitSettled("etcd");
        assertThat(joined.get("state")).as(String.valueOf(joined.get("message"))).isEqualTo("Ready");
        assertThat((List<?>) joined.get("hosts")).hasSize(4);

        // upgrade to v2: only the changed layer travels (once per host)
        apply(clusterfile(v2, ""), 202);
        Map<String, Object> upgraded = awaitSettled("etcd");
        assertThat(upgraded.get("state")).as(String.valueOf(upgraded.get("message"))).isEqualTo("Ready");
        Upgraded event = await().atMost(Duration.ofSeconds(30)).until(() -> lastUpgraded(), e -> e != null);
        assertThat(event.getChangedLayers()).hasSize(1);
        assertThat(event.getBytesSent()).isEqualTo(4 * v2ChangedLayerBytes);
        assertThat(host(1).exec("ETCDCTL_API=3 etcdctl --endpoints=" + endpoints(1) + " get --print-value-only slipway/greeting"))
                .contains("written-on-host-0");
        assertThat(host(0).exec("etcdctl --endpoints=" + endpoints(0, 1, 2) + " endpoint health 2>&1")).doesNotContain("unhealthy");

        // a host cut during an apply: Degraded naming it; the next apply heals it
        apply(clusterfile(v2, "TIER=prod"), 202);
        host(1).cutLink();
        Map<String, Object> degraded;
        try {
            degraded = awaitSettled("etcd");
        } finally {
            host(1).restoreLink();
        }
        assertThat(degraded.get("state")).isEqualTo("Degraded");
        assertThat((String) degraded.get("message")).contains(host(1).address());
        apply(clusterfile(v2, "TIER=prod"), 202);
        Map<String, Object> healed = awaitSettled("etcd");
        assertThat(healed.get("state")).as(String.valueOf(healed.get("message"))).isEqualTo("Ready");
        assertThat(host(0).exec("etcdctl --endpoints=" + endpoints(0, 1, 2) + " endpoint health 2>&1")).doesNotContain("unhealthy");

        // delete --all: etcd stopped and every file gone
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/deploy/clusters/etcd").then().statusCode(202);
        assertThat(awaitSettled("etcd").get("state")).isEqualTo("Deleted");
        for (TestHost h : fleet.hosts()) {
            assertThat(h.path("/var/lib/slipway/clusters/etcd")).doesNotExist();
            // nothing listens on etcd's client port (2379 = 0x094B) any more
            assertThat(h.exec("awk '$4==\"0A\" && $2 ~ /:094B$/' /proc/net/tcp /proc/net/tcp6 | wc -l").strip()).isEqualTo("0");
        }
    }

    static Upgraded lastUpgraded() {
        Upgraded last = null;
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll("slipway.deploy.events")) {
            if ("etcd".equals(r.key()) && "Upgraded".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))) {
                last = EventCodec.released().decode(r.value(), Upgraded.class);
            }
        }
        return last;
    }
}
