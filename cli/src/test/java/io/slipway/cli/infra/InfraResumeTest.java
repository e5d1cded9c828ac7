package io.slipway.cli.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.stack.ProjectHome;
import io.slipway.cli.stack.Stack;
import io.slipway.cli.stack.StackFile;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.Ticker;
import io.slipway.security.Role;
import io.slipway.testkit.ec2.Ec2Options;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulatedEc2Endpoint;
import io.slipway.testkit.ec2.SimulationRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash safety, for real: infra-svc in the local stack takes nodes from the aws provider (AWS SDK v2 over
 * HTTP) of a simulated EC2 region in this JVM, is killed with SIGKILL while its RunInstances has been performed but
 * not answered, and the stack is started again. The resumed provisioning repeats the journaled create under its token:
 * the region holds exactly the nodes the pool wants, none twice, and deleting the pool leaves none alive.
 */
class InfraResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_KEY_ID = "AKIASIMULATEDRESUME01";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void infraSvcKilledMidCreateResumesWithoutASecondInstanceAndLeavesNoneBehind(@TempDir Path dir) throws Exception {
        SimulatedEc2 region = new SimulatedEc2(Ec2Options.builder().boot(Duration.ofMillis(1500), Duration.ofSeconds(3))
                .bootFloor(Duration.ofMillis(500)).visibilityDelayMax(Duration.ofMillis(500)).noThrottling().build(), 3, Ticker.system());
        String secretValue = "simulated-secret-never-logged";
        Path secret = Files.writeString(dir.resolve("aws-secret"), secretValue);
        Path key = Files.writeString(dir.resolve("id_ed25519"), "not used: the simulated instances are not machines");
        try (SimulatedEc2Endpoint endpoint = SimulatedEc2Endpoint.start(region, ACCESS_KEY_ID)) {
            String p = "infra-svc:-Dslipway.infra.providers.cloud.";
            Stack.Options options = new Stack.Options(dir.resolve("stack"), ProjectHome.require(null), 0, Stack.DEFAULT_START_TIMEOUT,
                    List.of(p + "kind=aws", p + "settings.region=eu-west-1", p + "settings.access-key-id=" + ACCESS_KEY_ID,
                            p + "settings.secret-access-key-file=" + secret, p + "settings.endpoint=" + endpoint.uri(),
                            p + "settings.image-id=ami-0123456789abcdef0", p + "settings.ssh-user=ec2-user",
                            p + "settings.ssh-private-key=" + key, "infra-svc:-Dslipway.infra.lease=5s"), System.out);

            SimulatedEc2Endpoint.Hold hold = endpoint.holdAfterNext("RunInstances");
            try (Stack stack = Stack.start(options)) {
                post(stack, "{\"poolId\":\"resume\",\"provider\":\"cloud\",\"roles\":[{\"role\":\"node\",\"count\":4}]}");
                // the region made the 4 instances and holds its answer: kill infra-svc now
                await().atMost(Duration.ofMinutes(2)).until(hold::reached);
                assertThat(region.record().ofPool("resume")).hasSize(4);
                long pid = StackFile.read(stack.layout()).orElseThrow().services().stream()
                        .filter(s -> s.name().equals("infra-svc")).findFirst().orElseThrow().pid();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
                hold.release();
                // the stack starts the killed service again on its own (ProcessWatch), which resumes what it was doing
                // resumed: every node has its instance and runs (SSH never answers: simulated instances are not machines)
                JsonNode pool = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> get(stack, "resume"),
                        j -> j != null && count(j, "Running") == 4);
                Set<String> instances = new java.util.HashSet<>();
                pool.path("nodes").forEach(n -> instances.add(n.path("instanceId").asText()));
                SimulationRecord record = region.record();
                assertThat(record.ofPool("resume")).as("the resumed create made nothing twice").hasSize(4)
                        .allSatisfy(i -> assertThat(instances).contains(i.instanceId()));
                assertThat(record.duplicated(List.of(new PoolPlan("resume", "cloud", List.of(new PoolPlan.RolePlan("node", 4, null, null))))))
                        .isEmpty();

                delete(stack, "resume");
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> get(stack, "resume"), j -> j != null && "Deleted".equals(j.path("state").asText()));
                SimulationRecord after = region.record();
                assertThat(after.ofPool("resume")).as("nothing left running").noneMatch(i -> i.aliveAt(after.at()));
                assertThat(Files.readString(stack.layout().log("infra-svc"))).as("the AWS secret never reaches the log")
                        .contains("provider cloud (aws) ready").doesNotContain(secretValue);
            }
        }
    }

    private static int count(JsonNode pool, String state) {
        int n = 0;
        for (JsonNode node : pool.path("nodes")) {
            n += state.equals(node.path("state").asText()) ? 1 : 0;
        }
        return n;
    }

    private void post(Stack stack, String body) throws Exception {
        HttpResponse<String> r = http.send(request(stack, "").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    private void delete(Stack stack, String pool) throws Exception {
        HttpResponse<String> r = http.send(request(stack, "/" + pool).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    private JsonNode get(Stack stack, String pool) throws Exception {
        HttpResponse<String> r = http.send(request(stack, "/" + pool).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503 && r.body().contains("\"service\":\"infra-svc\"")) {
            return null; // the gateway's answer while the stack starts the killed infra-svc again
        }
        if (r.statusCode() != 200 && r.statusCode() != 404) {
            throw new AssertionError("GET pool " + pool + ": " + r.statusCode() + " " + r.body());
        }
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private static HttpRequest.Builder request(Stack stack, String path) {
        URI uri = stack.gatewayUrl().resolve("/api/v1/infra/pools" + path);
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + stack.token(Role.operator, Duration.ofHours(1)))
                .timeout(Duration.ofSeconds(20));
    }
}
