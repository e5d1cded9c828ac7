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
import io.slipway.events.deploy.Deleted;
import io.slipway.events.deploy.DeployOperation;
import io.slipway.events.deploy.HostStepStarted;
import io.slipway.events.deploy.RequestDeploy;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import io.slipway.schemas.EventCodec;
import io.restassured.path.json.JsonPath;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.PrometheusText;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy-svc end to end on real OpenSSH hosts: apply, idempotent re-apply, events, SSE progress, a failed join left
 * out, an unreachable host making the cluster Degraded then healed, scale-down (remove, or the Clusterfile), reset,
 * delete --all (also after a failed install, and forced past an unreachable host), a bad Clusterfile, CI requests.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "deploy"))
class DeployFlowTest {
    static final String EVENTS = "slipway.deploy.events";
    static final String IMAGE = "flow/app:v1";
    static final String MULTI = "flow/multi:v1";
    static final String NO_ARM = "flow/multi-no-arm:v1";
    static HostFleet fleet;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeAll
    static void hostsAndImage() throws Exception {
        Needs.machine(HostFleet.available(), "needs test hosts: root (namespaces) or user namespaces (embedded)");
        fleet = HostFleet.builder().hosts(4).build();
        Path ctx = Files.createTempDirectory("flow-image");
        Files.createDirectories(ctx.resolve("hooks/master"));
        Files.createDirectories(ctx.resolve("hooks/node"));
        Files.createDirectories(ctx.resolve("hooks/clean"));
        // FAIL_ON names a host whose master hook fails, as a broken install script would
        Files.writeString(ctx.resolve("hooks/master/10-up.sh"), """
                if [ "${FAIL_ON:-}" = "$SLIPWAY_HOST_IP" ]; then echo "told to fail on $SLIPWAY_HOST_IP (token ${API_TOKEN:-})" >&2; exit 3; fi
                echo up > /var/lib/slipway/up-$SLIPWAY_CLUSTER
                """);
        Files.writeString(ctx.resolve("hooks/node/10-up.sh"), """
                echo node > /var/lib/slipway/up-$SLIPWAY_CLUSTER
                echo "${SLIPWAY_LABELS:-}|${SLIPWAY_TAINTS:-}" > /var/lib/slipway/labels-$SLIPWAY_CLUSTER
                """);
        Files.writeString(ctx.resolve("hooks/clean/10-down.sh"), """
                rm -f /var/lib/slipway/up-$SLIPWAY_CLUSTER
                echo cleaned > /var/lib/slipway/cleaned-$SLIPWAY_CLUSTER
                """);
        Files.writeString(ctx.resolve("Kubefile"), "FROM scratch\nCOPY hooks hooks\n");
        // the store deploy-svc reads local builds from (%test.slipway.deploy.build-store)
        new CloudImageBuilder(ImageStore.open(Path.of("target/deploy-test-build-store")))
                .build(BuildSpec.builder(ctx).tag(IMAGE).platform(Platform.parse("linux/amd64")).build(), BuildListener.NONE);
        // a multi-platform image whose etc/arch says which variant a host got
        Path multi = Files.createTempDirectory("flow-multi");
        for (String arch : List.of("amd64", "arm64")) {
            Files.createDirectories(multi.resolve("etc-" + arch));
            Files.writeString(multi.resolve("etc-" + arch + "/arch"), arch + "\n");
        }
        Files.writeString(multi.resolve("Kubefile"), "FROM scratch\nCOPY etc-${TARGETARCH} etc\n");
        new CloudImageBuilder(ImageStore.open(Path.of("target/deploy-test-build-store"))).build(BuildSpec.builder(multi).tag(MULTI)
                .platforms(List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"))).build(), BuildListener.NONE);
        Files.createDirectories(multi.resolve("etc-s390x"));
        Files.writeString(multi.resolve("etc-s390x/arch"), "s390x\n");
        new CloudImageBuilder(ImageStore.open(Path.of("target/deploy-test-build-store"))).build(BuildSpec.builder(multi).tag(NO_ARM)
                .platforms(List.of(Platform.parse("linux/amd64"), Platform.parse("linux/s390x"))).build(), BuildListener.NONE);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static TestHost host(int i) {
        return fleet.hosts().get(i);
    }

    static String clusterfile(String name, List<TestHost> masters, List<TestHost> nodes) {
        return clusterfile(name, masters, nodes, "");
    }

    static String clusterfile(String name, List<TestHost> masters, List<TestHost> nodes, String env) {
        StringBuilder b = new StringBuilder("""
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: %s
                spec:
                  image: %s
                  env: [%s]
                  ssh:
                    user: root
                    pk: %s
                    port: "%d"
                %s
                  hosts:
                """.formatted(name, IMAGE, env, inlineKey(), host(0).port(), hostKeys(masters, nodes)));
        b.append("    - ips: [").append(String.join(", ", masters.stream().map(TestHost::address).toList())).append("]\n")
                .append("      roles: [master]\n");
        if (!nodes.isEmpty()) {
            b.append("    - ips: [").append(String.join(", ", nodes.stream().map(TestHost::address).toList())).append("]\n")
                    .append("      roles: [node]\n");
        }
        return b.toString();
    }

    /** The fleet's private key as a Clusterfile's {@code pk} block (key material: deploy-svc reads no key file of a user's). */
    static String inlineKey() {
        return inlineKey(fleet);
    }

    static String inlineKey(HostFleet fleet) {
        try {
            return "|\n" + Files.readString(fleet.clientKey()).strip().lines().map(l -> "      " + l).collect(java.util.stream.Collectors.joining("\n"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code spec.hostKeys} for these hosts: each pinned before deploy-svc sends it a credential. */
    @SafeVarargs
    static String hostKeys(List<TestHost>... groups) {
        StringBuilder b = new StringBuilder("  hostKeys:");
        for (List<TestHost> g : groups) {
            g.forEach(h -> b.append("\n    ").append(h.address()).append(": \"").append(h.hostKey()).append('"'));
        }
        return b.toString();
    }

    static List<String> eventTypes(String cluster) {
        List<String> types = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            if (cluster.equals(r.key())) {
                types.add(KafkaTopics.header(r, EventHeaders.EVENT_TYPE));
            }
        }
        return types;
    }

    @Test
    void applyInstallsEveryHostAndASecondApplyChangesNothing() {
        String name = "flow-" + UUID.randomUUID().toString().substring(0, 6);
        // a host group's labels and taints reach its hooks (a Kubernetes image's hooks apply them to the node)
        String cf = clusterfile(name, List.of(host(0)), List.of(host(1))).replace("      roles: [node]\n",
                "      roles: [node]\n      labels: {zone: b, disk: ssd}\n      taints: [\"dedicated=db:NoSchedule\"]\n");
        apply(cf).then().statusCode(202);
        Map<String, Object> c = awaitSettled(name);
        assertThat(c.get("state")).isEqualTo("Ready");
        assertThat(host(0).path("/var/lib/slipway/up-" + name)).hasContent("up");
        assertThat(host(1).path("/var/lib/slipway/up-" + name)).hasContent("node");
        assertThat(host(1).path("/var/lib/slipway/labels-" + name)).hasContent("disk=ssd,zone=b|dedicated=db:NoSchedule");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(eventTypes(name))
                .startsWith("ClusterRequested", "HostStepStarted").contains("HostStepCompleted", "HostsAdded").endsWith("ClusterReady"));
        int events = eventTypes(name).size();

        Response again = apply(cf);
        again.then().statusCode(200);
        assertThat(again.jsonPath().getBoolean("changed")).isFalse();
        assertThat(cluster(name).get("generation")).isEqualTo(c.get("generation"));
        assertThat(eventTypes(name)).hasSize(events);

        // issue 16, item 5: each host's steps, the bytes sent over SSH and the operation are in deploy-svc's metrics
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (TestHost h : List.of(host(0), host(1))) {
            String at = "host=\"" + h.address() + "\"";
            assertThat(PrometheusText.sum(metrics, "slipway_deploy_step_seconds_count", at, "outcome=\"completed\"")).as(at).isPositive();
            assertThat(PrometheusText.sum(metrics, "slipway_deploy_ssh_sent_bytes_total", at)).as(at).isPositive();
        }
        assertThat(PrometheusText.sum(metrics, "slipway_deploy_operation_seconds_count", "outcome=\"Ready\"")).isGreaterThanOrEqualTo(1);
        deleteAll(name);
    }

    @Test
    void aDryRunShowsHowEachHostIsReachedAndWarnsOfAnImageNoStoreHas() {
        String name = "dry-" + UUID.randomUUID().toString().substring(0, 6);
        String cf = clusterfile(name, List.of(host(0)), List.of(host(1)), "DB_PASSWORD=s3cr3t-9, ZONE=b");
        JsonPath plan = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(cf.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/deploy/clusters/apply?dryRun=true")
                .then().statusCode(200).extract().jsonPath();
        assertThat(plan.getList("plan.hostsToAdd.ip", String.class)).containsExactly(host(0).address(), host(1).address());
        assertThat(plan.getList("plan.hostsToAdd.sshUser", String.class)).containsOnly("root");
        assertThat(plan.getList("plan.hostsToAdd.sshPort", Integer.class)).containsOnly(host(0).port());
        assertThat(plan.getString("plan.hostsToAdd[0].env.ZONE")).isEqualTo("b");
        assertThat(plan.getString("plan.hostsToAdd[0].env.DB_PASSWORD")).isEqualTo("******");
        assertThat(plan.prettify()).doesNotContain("s3cr3t-9");
        assertThat(plan.getList("warnings", String.class)).isEmpty();

        String missing = cf.replace("image: " + IMAGE, "image: flow/never-built:v9");
        JsonPath warned = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(missing.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/deploy/clusters/apply?dryRun=true")
                .then().statusCode(200).extract().jsonPath();
        assertThat(warned.getList("warnings", String.class)).singleElement().asString()
                .contains("flow/never-built:v9 is neither in build-svc's store nor names a registry: the apply would fail");
        // a dry run asks for nothing
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/" + name).then().statusCode(404);
    }

    @Test
    void progressStreamsEachHostStepThenTheFinalState() throws Exception {
        String name = "sse-" + UUID.randomUUID().toString().substring(0, 6);
        apply(clusterfile(name, List.of(host(2)), List.of())).then().statusCode(202);
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/deploy/clusters/" + name + "/progress"))
                .header("Authorization", TestTokens.bearer(Role.viewer)).timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> data = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) { // the server ends the stream when the operation settles
                if (line.startsWith("data:")) {
                    data.add(line.substring(5));
                }
            }
        }
        assertThat(data).isNotEmpty();
        assertThat(data.get(data.size() - 1)).contains("\"state\":\"Ready\"");
        awaitSettled(name);
        deleteAll(name);
    }

    @Test
    void anUnreachableHostDegradesTheClusterAndTheNextApplyHealsIt() {
        String name = "heal-" + UUID.randomUUID().toString().substring(0, 6);
        String cf = clusterfile(name, List.of(host(0)), List.of(host(3)));
        host(3).cutLink();
        Map<String, Object> c;
        try {
            apply(cf).then().statusCode(202);
            c = awaitSettled(name);
        } finally {
            host(3).restoreLink();
        }
        assertThat(c.get("state")).isEqualTo("Degraded");
        assertThat((String) c.get("message")).contains(host(3).address(), "preflight");
        assertThat(eventTypes(name)).contains("HostStepFailed").endsWith("ClusterDegraded");

        apply(cf).then().statusCode(202);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Ready");
        assertThat(host(3).path("/var/lib/slipway/up-" + name)).hasContent("node");
        deleteAll(name);
    }

    @Test
    void aFailedJoinIsRolledBackAndNeverRecordedAsAMember() {
        String name = "join-" + UUID.randomUUID().toString().substring(0, 6);
        apply(clusterfile(name, List.of(host(1)), List.of())).then().statusCode(202);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Ready");

        // a host whose key nobody gave is refused before anything is sent to it: the cluster's stored key is not offered
        String stranger = "10.254.0.77";
        Response unverified = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("nodes", List.of(stranger))).post("/api/v1/deploy/clusters/" + name + "/join");
        assertThat(unverified.statusCode()).isEqualTo(400);
        assertThat(unverified.jsonPath().getString("field")).isEqualTo("hostKeys");
        assertThat(unverified.asString()).contains("no SSH host key is known for " + stranger, "trustOnFirstUse");
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("nodes", List.of(host(2).address()), "hostKeys", Map.of(host(2).address(), "ssh-rsa garbage")))
                .post("/api/v1/deploy/clusters/" + name + "/join").then().statusCode(400);

        host(2).cutLink();
        try {
            given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                    .body(Map.of("nodes", List.of(host(2).address()), "hostKeys", Map.of(host(2).address(), host(2).hostKey())))
                    .post("/api/v1/deploy/clusters/" + name + "/join").then().statusCode(202);
            Map<String, Object> c = awaitSettled(name);
            assertThat(c.get("state")).isEqualTo("Ready");
            assertThat((String) c.get("message")).contains("join failed", host(2).address());
            assertThat((List<?>) c.get("hosts")).hasSize(1);
        } finally {
            host(2).restoreLink();
        }
        List<String> all = eventTypes(name);
        List<String> ofTheJoin = all.subList(all.lastIndexOf("ClusterRequested"), all.size());
        assertThat(ofTheJoin).contains("HostStepFailed", "HostsRemoved").doesNotContain("HostsAdded", "ClusterDegraded")
                .endsWith("ClusterReady");

        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("nodes", List.of(host(2).address()))).post("/api/v1/deploy/clusters/" + name + "/join")
                .then().statusCode(202);
        Map<String, Object> joined = awaitSettled(name);
        assertThat((List<?>) joined.get("hosts")).hasSize(2);
        assertThat(host(2).path("/var/lib/slipway/up-" + name)).hasContent("node");
        deleteAll(name);
    }

    @Test
    void scaleDownCleansEachHostAndDropsItWhetherAskedByRemoveOrByTheClusterfile() {
        String name = "down-" + UUID.randomUUID().toString().substring(0, 6);
        apply(clusterfile(name, List.of(host(0)), List.of(host(1), host(2)))).then().statusCode(202);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Ready");

        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("hosts", List.of(host(2).address()))).post("/api/v1/deploy/clusters/" + name + "/remove")
                .then().statusCode(202);
        Map<String, Object> removed = awaitSettled(name);
        assertThat(removed.get("state")).as(String.valueOf(removed.get("message"))).isEqualTo("Ready");
        assertThat(hostIps(removed)).containsExactly(host(0).address(), host(1).address());
        assertCleaned(host(2), name);

        // the Clusterfile without host 1: the diff against the cluster removes it, and nothing reruns on host 0
        awaitEvents(name, "ClusterReady", 2);
        int stepsBefore = stepsStarted(name, host(0));
        apply(clusterfile(name, List.of(host(0)), List.of())).then().statusCode(202);
        Map<String, Object> shrunk = awaitSettled(name);
        assertThat(shrunk.get("state")).as(String.valueOf(shrunk.get("message"))).isEqualTo("Ready");
        assertThat(hostIps(shrunk)).containsExactly(host(0).address());
        assertCleaned(host(1), name);
        assertThat(host(0).path("/var/lib/slipway/up-" + name)).hasContent("up");
        awaitEvents(name, "ClusterReady", 3);
        assertThat(eventTypes(name).stream().filter("HostsRemoved"::equals)).hasSize(2);
        assertThat(stepsStarted(name, host(0))).isEqualTo(stepsBefore);
        deleteAll(name);
    }

    @Test
    void aResetHostIsCleanedAndTheNextApplyInstallsItAgain() {
        String name = "reset-" + UUID.randomUUID().toString().substring(0, 6);
        String cf = clusterfile(name, List.of(host(1)), List.of(host(3)));
        apply(cf).then().statusCode(202);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Ready");

        given().header("Authorization", TestTokens.bearer(Role.operator))
                .post("/api/v1/deploy/clusters/" + name + "/hosts/" + host(3).address() + "/reset").then().statusCode(202);
        Map<String, Object> reset = awaitSettled(name);
        assertThat(reset.get("state")).isEqualTo("Degraded");
        assertThat(hostIps(reset)).containsExactly(host(1).address(), host(3).address());
        assertCleaned(host(3), name);
        assertThat(host(1).path("/var/lib/slipway/up-" + name)).hasContent("up");

        // the same Clusterfile is not a no-op now: it installs the reset host afresh
        apply(cf).then().statusCode(202);
        Map<String, Object> again = awaitSettled(name);
        assertThat(again.get("state")).as(String.valueOf(again.get("message"))).isEqualTo("Ready");
        assertThat(host(3).path("/var/lib/slipway/up-" + name)).hasContent("node");
        deleteAll(name);
    }

    @Test
    void eachHostGetsItsArchitecturesVariantOfAMultiPlatformImageAndAnImageWithoutOneSaysSo() throws Exception {
        // host 2 answers as an arm64 machine would
        Files.writeString(host(2).path("/usr/local/bin/uname"), "#!/bin/sh\n[ \"$1\" = -m ] && { echo aarch64; exit 0; }\nexec /usr/bin/uname \"$@\"\n");
        host(2).exec("chmod 755 /usr/local/bin/uname");
        try {
            String name = "arch-" + UUID.randomUUID().toString().substring(0, 6);
            apply(clusterfile(name, List.of(host(0)), List.of(host(2))).replace("image: " + IMAGE, "image: " + MULTI)).then().statusCode(202);
            Map<String, Object> c = awaitSettled(name);
            assertThat(c.get("state")).as(String.valueOf(c.get("message"))).isEqualTo("Ready");
            assertThat(host(0).path("/var/lib/slipway/clusters/" + name + "/rootfs/etc/arch")).hasContent("amd64");
            assertThat(host(2).path("/var/lib/slipway/clusters/" + name + "/rootfs/etc/arch")).hasContent("arm64");
            List<?> hosts = (List<?>) c.get("hosts");
            assertThat(hosts.stream().map(h -> ((Map<?, ?>) h).get("installedDigest")).distinct()).as("one variant each").hasSize(2);
            deleteAll(name);

            // an amd64-only image: the arm64 host is named with what to do, the other installs
            String single = "arch1-" + UUID.randomUUID().toString().substring(0, 6);
            apply(clusterfile(single, List.of(host(0)), List.of(host(2)))).then().statusCode(202);
            Map<String, Object> degraded = awaitSettled(single);
            assertThat(degraded.get("state")).isEqualTo("Degraded");
            assertThat((String) degraded.get("message")).contains(host(2).address(), "preflight", "the host is arm64",
                    "is amd64", "linux/arm64");
            assertThat(host(0).path("/var/lib/slipway/up-" + single)).hasContent("up");
            deleteAll(single);

            // a multi-platform image without arm64: that host fails before any step, the other installs its variant
            String noArm = "arch2-" + UUID.randomUUID().toString().substring(0, 6);
            apply(clusterfile(noArm, List.of(host(0)), List.of(host(2))).replace("image: " + IMAGE, "image: " + NO_ARM)).then().statusCode(202);
            Map<String, Object> partial = awaitSettled(noArm);
            assertThat(partial.get("state")).isEqualTo("Degraded");
            assertThat((String) partial.get("message")).contains(host(2).address(), "preflight", "the host is arm64", "no arm64 variant",
                    "build the image for linux/arm64");
            assertThat(host(0).path("/var/lib/slipway/clusters/" + noArm + "/rootfs/etc/arch")).hasContent("amd64");
            assertThat(host(2).path("/var/lib/slipway/clusters/" + noArm)).doesNotExist();
            deleteAll(noArm);
        } finally {
            host(2).exec("rm -f /usr/local/bin/uname");
        }
    }

    @Test
    void aLaunchTheImageCannotDoFailsBeforeAnyHostIsTouched() {
        String name = "launch-" + UUID.randomUUID().toString().substring(0, 6);
        String cf = clusterfile(name, List.of(host(0)), List.of()).replace("  ssh:\n", "  appNames: [dashboard]\n  ssh:\n");
        apply(cf).then().statusCode(202);
        Map<String, Object> failed = awaitSettled(name);
        assertThat(failed.get("state")).isEqualTo("Failed");
        assertThat((String) failed.get("message")).contains("spec.appNames", "has no application 'dashboard'");
        awaitEvents(name, "ClusterFailed", 1);
        assertThat(eventTypes(name)).doesNotContain("HostStepStarted");
        assertThat(host(0).path("/var/lib/slipway/clusters/" + name)).doesNotExist();
        deleteAll(name);
    }

    @Test
    void deleteWorksAfterAFailedInstall() {
        String name = "failed-" + UUID.randomUUID().toString().substring(0, 6);
        // the failing hook prints a secret of the Clusterfile: its output reaches viewers and events with the secret masked
        String canary = "Canary-Env-Secret-8";
        apply(clusterfile(name, List.of(host(2)), List.of(), "FAIL_ON=" + host(2).address() + ", API_TOKEN=" + canary)).then().statusCode(202);
        Map<String, Object> failed = awaitSettled(name);
        assertThat(failed.get("state")).isEqualTo("Failed");
        assertThat((String) failed.get("message")).contains(host(2).address(), "hooks", "told to fail", "(token ******)")
                .doesNotContain(canary);
        assertThat(given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/" + name).asString())
                .doesNotContain(canary);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(eventTypes(name)).contains("HostStepFailed", "ClusterFailed"));
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            if (name.equals(r.key())) {
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(canary);
            }
        }
        assertThat(host(2).path("/var/lib/slipway/clusters/" + name + "/rootfs")).isDirectory();

        deleteAll(name);
        assertThat(host(2).path("/var/lib/slipway/cleaned-" + name)).hasContent("cleaned");
    }

    @Test
    void deleteWithAnUnreachableHostStaysDegradedUntilForcedAndSaysWhatWasLeft() {
        String name = "force-" + UUID.randomUUID().toString().substring(0, 6);
        apply(clusterfile(name, List.of(host(1)), List.of(host(3)))).then().statusCode(202);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Ready");

        host(3).cutLink();
        try {
            given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/deploy/clusters/" + name)
                    .then().statusCode(202);
            Map<String, Object> incomplete = awaitSettled(name);
            assertThat(incomplete.get("state")).isEqualTo("Degraded");
            assertThat((String) incomplete.get("message")).contains(host(3).address(), "--force");
            assertThat(hostIps(incomplete)).containsExactly(host(3).address());
            assertCleaned(host(1), name);
            // what is left is only a node: no join onto it, but the delete can be finished
            given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                    .body(Map.of("nodes", List.of(host(0).address()))).post("/api/v1/deploy/clusters/" + name + "/join")
                    .then().statusCode(400);

            given().header("Authorization", TestTokens.bearer(Role.operator)).queryParam("force", true)
                    .delete("/api/v1/deploy/clusters/" + name).then().statusCode(202);
            assertThat(awaitSettled(name).get("state")).isEqualTo("Deleted");
        } finally {
            host(3).restoreLink();
        }
        Deleted deleted = await().atMost(Duration.ofSeconds(30)).until(() -> lastDeleted(name), d -> d != null);
        assertThat(deleted.getForced()).isTrue();
        assertThat(deleted.getUncleanedHosts()).containsExactly(host(3).address());
        // what force left behind is on the host still: that is what uncleanedHosts tells the operator
        assertThat(host(3).path("/var/lib/slipway/up-" + name)).hasContent("node");
        host(3).exec("rm -rf /var/lib/slipway/clusters/" + name + " /var/lib/slipway/up-" + name);
    }

    static List<String> hostIps(Map<String, Object> cluster) {
        return ((List<?>) cluster.get("hosts")).stream().map(h -> (String) ((Map<?, ?>) h).get("ip")).toList();
    }

    /** Waits until the cluster's events hold {@code count} of {@code type} (the relay publishes after the commit). */
    static void awaitEvents(String cluster, String type, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(eventTypes(cluster).stream().filter(type::equals)).hasSize(count));
    }

    static void assertCleaned(TestHost h, String cluster) {
        assertThat(h.path("/var/lib/slipway/clusters/" + cluster)).doesNotExist();
        assertThat(h.path("/var/lib/slipway/up-" + cluster)).doesNotExist();
        assertThat(h.path("/var/lib/slipway/cleaned-" + cluster)).hasContent("cleaned");
    }

    /** How many steps were started on a host of the cluster, by its HostStepStarted events. */
    static int stepsStarted(String cluster, TestHost h) {
        int n = 0;
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            if (cluster.equals(r.key()) && "HostStepStarted".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))
                    && EventCodec.released().decode(r.value(), HostStepStarted.class).getHost().equals(h.address())) {
                n++;
            }
        }
        return n;
    }

    static Deleted lastDeleted(String cluster) {
        Deleted last = null;
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            if (cluster.equals(r.key()) && "Deleted".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))) {
                last = EventCodec.released().decode(r.value(), Deleted.class);
            }
        }
        return last;
    }

    @Test
    void aPasswordUserInstallsThroughSudoAndThePasswordAppearsNowhere() {
        String name = "sudo-" + UUID.randomUUID().toString().substring(0, 6);
        String cf = """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: %s
                spec:
                  image: %s
                  ssh:
                    user: %s
                    passwd: "${secret:flow-sudo-password}"
                    port: "%d"
                %s
                  hosts:
                    - ips: [%s]
                      roles: [master]
                """.formatted(name, IMAGE, fleet.passwordUser(), host(1).port(), hostKeys(List.of(host(1))), host(1).address());
        putSecret("flow-sudo-password", fleet.password());
        Response accepted = apply(cf);
        accepted.then().statusCode(202);
        Map<String, Object> c = awaitSettled(name);
        assertThat(c.get("state")).as(String.valueOf(c.get("message"))).isEqualTo("Ready");
        // the hook wrote into root's /var/lib/slipway: it ran as root, through sudo with the user's password
        assertThat(host(1).path("/var/lib/slipway/up-" + name)).hasContent("up");
        assertThat(host(1).exec("stat -c %U /var/lib/slipway/up-" + name).strip()).isEqualTo("root");
        assertThat(accepted.asString()).doesNotContain(fleet.password());
        assertThat(given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/" + name).asString())
                .doesNotContain(fleet.password());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(eventTypes(name)).contains("ClusterReady"));
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            if (name.equals(r.key())) {
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(fleet.password());
            }
        }
        // at rest the Clusterfile is sealed: the database holds no password
        assertThat(stored("select clusterfile from deploy_cluster where name = ?", name)).startsWith("sealed:v1:")
                .doesNotContain(fleet.password());
        deleteAll(name);
    }

    @Test
    void aBadClusterfileIsA400NamingLineAndFieldWithoutItsSecrets() {
        String bad = """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: bad
                spec:
                  image: flow/app:v1
                  ssh:
                    passwd: Sup3rSecret!
                  hosts:
                    - ips: [10.0.0]
                      roles: [master]
                """;
        Response r = apply(bad);
        r.then().statusCode(400);
        assertThat(r.jsonPath().getInt("line")).isEqualTo(10);
        assertThat(r.jsonPath().getString("field")).contains("ips");
        assertThat(r.asString()).doesNotContain("Sup3rSecret!");
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/bad").then().statusCode(404);
    }

    @Test
    void ciRequestsOnKafkaAreOneOperationPerRequestId() throws Exception {
        String name = "ci-" + UUID.randomUUID().toString().substring(0, 6);
        String requestId = UUID.randomUUID().toString();
        // CI names the key it logs in with: the command (and a DLQ copy of it) carries a reference, not the key
        putSecret("flow-ci-key", Files.readString(fleet.clientKey()));
        String withReference = clusterfile(name, List.of(host(2)), List.of()).replace("pk: " + inlineKey(), "pk: ${secret:flow-ci-key}");
        assertThat(withReference).doesNotContain("PRIVATE KEY");
        byte[] command = EventCodec.released().encode(RequestDeploy.newBuilder().setRequestId(requestId)
                .setOperation(DeployOperation.APPLY).setCluster(name).setClusterfile(withReference)
                .setRequestedBy("ci").build());
        String token = TestTokens.bearer(Role.operator);
        Map<String, String> headers = Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "RequestDeploy",
                EventHeaders.AUTHORIZATION, token);
        KafkaTopics.produce("slipway.deploy.requests", name, command, headers);
        KafkaTopics.produce("slipway.deploy.requests", name, command,
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "RequestDeploy", EventHeaders.AUTHORIZATION, token));
        await().atMost(Duration.ofMinutes(1)).until(() -> given().header("Authorization", TestTokens.bearer(Role.viewer))
                .get("/api/v1/deploy/clusters/" + name).statusCode() == 200);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Ready");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(eventTypes(name).stream().filter("ClusterRequested"::equals)).hasSize(1));
        assertThat(cluster(name).get("generation")).isEqualTo(1);

        // the same Clusterfile with the key written inline is refused, and its dead letter holds no copy of the key
        String inlineName = name + "-inline";
        String inline = clusterfile(inlineName, List.of(host(2)), List.of());
        assertThat(inline).contains("PRIVATE KEY");
        KafkaTopics.produce("slipway.deploy.requests", inlineName, EventCodec.released().encode(RequestDeploy.newBuilder()
                .setRequestId(UUID.randomUUID().toString()).setOperation(DeployOperation.APPLY).setCluster(inlineName)
                .setClusterfile(inline).setRequestedBy("ci").build()), Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(),
                EventHeaders.EVENT_TYPE, "RequestDeploy", EventHeaders.AUTHORIZATION, token));
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofMinutes(1)).until(() -> KafkaTopics.readAll("slipway.deploy.requests.dlq")
                .stream().filter(r -> inlineName.equals(r.key())).findFirst().orElse(null), java.util.Objects::nonNull);
        assertThat(dead.value()).as("no copy of the command, and so of its key").isNull();
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_REASON)).contains("spec.ssh.pk").contains("${secret:<name>}")
                .doesNotContain("PRIVATE");
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/" + inlineName).then().statusCode(404);
        deleteAll(name);
    }

    /** One column of one row, as the database holds it (what a backup or a stolen dump shows). */
    static String stored(String query, String key) {
        var infra = io.slipway.testkit.SlipwayInfra.get();
        try (var db = java.sql.DriverManager.getConnection(infra.jdbcUrl("deploy"), infra.dbUser(), infra.dbPassword());
             var q = db.prepareStatement(query)) {
            q.setString(1, key);
            try (var rows = q.executeQuery()) {
                assertThat(rows.next()).as(query + " " + key).isTrue();
                return rows.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    static void putSecret(String name, String value) {
        int status = given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json")
                .body(Map.of("value", value)).put("/api/v1/deploy/secrets/" + name).statusCode();
        assertThat(status).isIn(200, 201);
    }

    @Test
    void secretsAreSetByOperatorsListedWithoutValuesAndAClusterfileNamingAnUnsetOneIsA400() throws Exception {
        String value = "Canary-Deploy-Secret-6";
        given().header("Authorization", TestTokens.bearer(Role.viewer)).contentType("application/json").body(Map.of("value", value))
                .put("/api/v1/deploy/secrets/flow-token").then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/json").body(Map.of("value", value))
                .put("/api/v1/deploy/secrets/Bad_Name").then().statusCode(400);
        putSecret("flow-token", value);
        String listed = given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/secrets").then().statusCode(200)
                .extract().asString();
        assertThat(listed).contains("\"flow-token\"").doesNotContain(value);
        assertThat(stored("select value from deploy_secret where name = ?", "flow-token")).startsWith("sealed:v1:").doesNotContain(value);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(KafkaTopics.readAll(EVENTS).stream()
                .filter(r -> "secret/flow-token".equals(r.key())).map(r -> KafkaTopics.header(r, EventHeaders.EVENT_TYPE)))
                .contains("SecretChanged"));
        for (ConsumerRecord<String, byte[]> r : KafkaTopics.readAll(EVENTS)) {
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(value);
        }

        String name = "ref-" + UUID.randomUUID().toString().substring(0, 6);
        String unset = clusterfile(name, List.of(host(0)), List.of(), "\"API_TOKEN=${secret:flow-never-set}\"");
        Response refused = apply(unset);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.jsonPath().getString("field")).isEqualTo("secret");
        assertThat(refused.asString()).contains("flow-never-set");
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/deploy/secrets/flow-never-set").then().statusCode(404);
    }

    static void deleteAll(String name) {
        given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/deploy/clusters/" + name)
                .then().statusCode(202);
        assertThat(awaitSettled(name).get("state")).isEqualTo("Deleted");
        for (TestHost h : fleet.hosts()) {
            assertThat(h.path("/var/lib/slipway/clusters/" + name)).doesNotExist();
        }
    }
}
