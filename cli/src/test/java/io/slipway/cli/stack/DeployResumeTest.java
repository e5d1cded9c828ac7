package io.slipway.cli.stack;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.events.TopicTail;
import io.slipway.security.Role;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resumability, for real: {@code slipway build} then {@code slipway run} onto two SSH hosts through the local
 * stack, deploy-svc killed (SIGKILL) while a host runs its hook, the stack started again, and the install continues
 * from each host's last completed step: nothing finished is redone, nothing is sent twice.
 */
class DeployResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAYLOAD = 6 * 1024 * 1024;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aDeploySvcKilledMidInstallResumesFromEachHostsLastCompletedStep(@TempDir Path dir) throws Exception {
        Needs.machine(HostFleet.available(), "needs test hosts: root (namespaces) or user namespaces (embedded)");
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        byte[] payload = new byte[PAYLOAD];
        new Random(3).nextBytes(payload);
        Files.write(ctx.resolve("payload.bin"), payload);
        Files.createDirectories(ctx.resolve("hooks/master"));
        Files.createDirectories(ctx.resolve("hooks/node"));
        String slowHook = "echo run >> /var/lib/slipway/hook-runs\ni=0; while [ $i -lt 50 ]; do i=$((i+1)); sleep 0.1; done\n";
        Files.writeString(ctx.resolve("hooks/master/10-slow.sh"), slowHook);
        Files.writeString(ctx.resolve("hooks/node/10-slow.sh"), slowHook);
        Files.writeString(ctx.resolve("Kubefile"), "FROM scratch\nCOPY payload.bin payload.bin\nCOPY hooks hooks\n");
        Path data = dir.resolve("stack");
        Stack.Options options = new Stack.Options(data, ProjectHome.require(null), 0, Stack.DEFAULT_START_TIMEOUT, List.of(), System.out);

        try (HostFleet fleet = HostFleet.builder().hosts(2).build()) {
            TestHost master = fleet.hosts().get(0);
            TestHost node = fleet.hosts().get(1);
            try (Stack stack = Stack.start(options)) {
                assertThat(cli("build", "--data-dir", data.toString(), "-t", "resume/app:v1", ctx.toString())).isZero();
                assertThat(cli("run", "resume/app:v1", "--data-dir", data.toString(), "--name", "resume", "-m", master.address(),
                        "-n", node.address(), "--pk", fleet.clientKey().toString(), "--port", Integer.toString(master.port()),
                        "--host-key", master.address() + "=" + master.hostKey(), "--host-key", node.address() + "=" + node.hostKey(),
                        "--detach")).isZero();
                // the master is inside its hook (its layers are there, unpacked, rendered): kill deploy-svc now
                await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(master.path("/var/lib/slipway/hook-runs")));
                long pid = StackFile.read(stack.layout()).orElseThrow().services().stream()
                        .filter(s -> s.name().equals("deploy-svc")).findFirst().orElseThrow().pid();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
                // the stack starts the killed service again on its own (ProcessWatch), which resumes what it was doing
                String viewer = stack.token(Role.viewer, Duration.ofHours(1));
                URI gateway = stack.gatewayUrl();
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    JsonNode c = cluster(gateway, viewer);
                    return c != null && "Ready".equals(c.path("state").asText());
                });
                List<JsonNode> events = events(stack.bootstrapServers());
                // the steps the master completed before the kill were not started again; its cut hook ran again
                assertThat(started(events, master.address(), "distribute")).isEqualTo(1);
                assertThat(started(events, master.address(), "unpack")).isEqualTo(1);
                assertThat(started(events, master.address(), "hooks")).isEqualTo(2);
                assertThat(started(events, node.address(), "distribute")).isEqualTo(1);
                assertThat(started(events, node.address(), "hooks")).isEqualTo(1);
                long sentToMaster = events.stream().filter(e -> type(e).equals("HostStepCompleted")
                                && e.path("event").path("host").asText().equals(master.address()))
                        .mapToLong(e -> e.path("event").path("bytesSent").asLong()).sum();
                assertThat(sentToMaster).as("the layers crossed once").isBetween((long) PAYLOAD, (long) PAYLOAD + 64 * 1024);
                assertThat(Files.readAllBytes(master.path("/var/lib/slipway/clusters/resume/rootfs/payload.bin"))).isEqualTo(payload);
                assertThat(Files.readAllLines(node.path("/var/lib/slipway/hook-runs"))).hasSize(1);
                assertThat(cli("delete", "resume", "-a", "--data-dir", data.toString())).isZero();
                assertThat(master.path("/var/lib/slipway/clusters/resume")).doesNotExist();
            }
        }
    }

    private static int cli(String... args) {
        return io.slipway.cli.Slipway.commandLine().execute(args);
    }

    private JsonNode cluster(URI gateway, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.resolve("/api/v1/deploy/clusters/resume"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private static List<JsonNode> events(String bootstrapServers) {
        List<JsonNode> events = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        try (TopicTail tail = new TopicTail(bootstrapServers, "slipway.deploy.events", true)) {
            tail.read(0, line -> {
                // the relay publishes each event once; a repeat would carry the same id, counted once here as consumers do
                if ("resume".equals(line.path("key").asText()) && seen.add(line.path("headers").path("eventId").asText())) {
                    events.add(line);
                }
                return !type(line).equals("ClusterReady");
            }, () -> System.nanoTime() > deadline);
        }
        return events;
    }

    private static String type(JsonNode e) {
        return e.path("headers").path("eventType").asText();
    }

    private static long started(List<JsonNode> events, String host, String step) {
        return events.stream().filter(e -> type(e).equals("HostStepStarted") && e.path("event").path("host").asText().equals(host)
                && e.path("event").path("step").asText().equals(step)).count();
    }
}
