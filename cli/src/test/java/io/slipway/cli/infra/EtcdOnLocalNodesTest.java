package io.slipway.cli.infra;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.events.TopicTail;
import io.slipway.cli.stack.ProjectHome;
import io.slipway.cli.stack.Stack;
import io.slipway.provision.local.LocalProvider;
import io.slipway.security.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's end to end, as examples/etcd/README.md tells a new user: the whole local stack, the etcd CloudImage built
 * by build-svc, and a Clusterfile with an infra section instead of hosts. infra-svc makes 3 {@code local} nodes (network
 * namespaces with OpenSSH), deploy-svc installs onto them as soon as PoolReady arrives (their host keys pinned from
 * infra-svc's record), the etcd cluster is healthy, and deleting the cluster releases the pool: no namespace, process,
 * link or address is left on the machine.
 */
class EtcdOnLocalNodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aClusterfileWithAnInfraSectionGetsLocalNodesRunsEtcdOnThemAndItsDeleteLeavesNothing(@TempDir Path dir) throws Exception {
        Needs.machine(LocalProvider.Mode.best().orElse(null) == LocalProvider.Mode.NAMESPACES,
                "needs root: etcd members listen on their own addresses, which only namespace nodes have");
        Needs.machine(Files.isExecutable(Path.of("/usr/bin/etcd")) && Files.isExecutable(Path.of("/usr/bin/etcdctl")),
                "needs Debian's etcd-server and etcd-client (./slipway test installs them)");
        Path ctx = dir.resolve("etcd-ctx");
        Process prepare = new ProcessBuilder("bash", ProjectHome.require(null).resolve("examples/etcd/prepare.sh").toString(), ctx.toString(), "v1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prepare.log").toFile()).start();
        assertThat(prepare.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(prepare.exitValue()).as(Files.readString(dir.resolve("prepare.log"))).isZero();
        Path clusterfile = Files.writeString(dir.resolve("Clusterfile"), """
                apiVersion: sealer.io/v2
                kind: Cluster
                metadata:
                  name: etcd-local
                spec:
                  image: etcd:v1
                  infra:
                    provider: local
                    masters:
                      count: 3
                """);
        Path data = dir.resolve("stack");
        Stack.Options options = new Stack.Options(data, ProjectHome.require(null), 0, Stack.DEFAULT_START_TIMEOUT, List.of(), System.out);

        Set<String> machineBefore = machine();
        try (Stack stack = Stack.start(options)) {
            try {
                onLocalNodes(stack, data, ctx, clusterfile, machineBefore);
            } finally {
                // a failure must not leave the nodes behind for the next test: delete whatever is left, and wait
                cli("delete", "etcd-local", "-a", "--force", "--data-dir", data.toString());
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    JsonNode p = find(stack, "/api/v1/infra/pools/etcd-local");
                    return p == null || "Deleted".equals(p.path("state").asText());
                });
            }
        }
    }

    private void onLocalNodes(Stack stack, Path data, Path ctx, Path clusterfile, Set<String> machineBefore) throws Exception {
        assertThat(cli("build", "--data-dir", data.toString(), "-t", "etcd:v1", ctx.toString())).isZero();
        // follows the progress: the pool is made, handed over, installed on; 0 means Ready
        assertThat(cli("apply", "--data-dir", data.toString(), "-f", clusterfile.toString())).isZero();

        JsonNode cluster = get(stack, "/api/v1/deploy/clusters/etcd-local");
        assertThat(cluster.path("state").asText()).as(cluster.toString()).isEqualTo("Ready");
        JsonNode pool = get(stack, "/api/v1/infra/pools/etcd-local");
        assertThat(pool.path("state").asText()).isEqualTo("Ready");
        List<String> addresses = new ArrayList<>();
        pool.path("nodes").forEach(n -> addresses.add(n.path("address").asText()));
        List<String> hosts = new ArrayList<>();
        cluster.path("hosts").forEach(h -> hosts.add(h.path("ip").asText()));
        assertThat(hosts).as("the cluster runs on the pool's nodes").hasSize(3).containsExactlyInAnyOrderElementsOf(addresses);
        Set<String> namespacesOfPool = new HashSet<>(namespaces());
        namespacesOfPool.removeAll(namespacesIn(machineBefore));
        assertThat(namespacesOfPool).as("one network namespace per node").hasSize(3);

        // deploy-svc pinned the keys infra-svc recorded before it ever connected
        String knownHosts = Files.readString(stack.layout().service("deploy-svc").resolve("known_hosts"));
        pool.path("nodes").forEach(n -> assertThat(knownHosts)
                .contains(n.path("address").asText() + ":" + n.path("sshPort").asInt() + " " + n.path("hostKey").asText()));
        List<String> deployEvents = eventTypes(stack.bootstrapServers(), "slipway.deploy.events", "etcd-local", "ClusterReady");
        assertThat(deployEvents).containsSubsequence("ClusterRequested", "PoolWanted", "PoolAssigned", "ClusterReady");

        // a healthy 3-member etcd: a key written through one member is read through another
        String endpoints = String.join(",", addresses.stream().map(a -> "http://" + a + ":2379").toList());
        assertThat(run("etcdctl", "--endpoints=" + endpoints, "endpoint", "health"))
                .contains(addresses.get(0) + ":2379 is healthy", addresses.get(1) + ":2379 is healthy", addresses.get(2) + ":2379 is healthy");
        run("etcdctl", "--endpoints=http://" + addresses.get(0) + ":2379", "put", "slipway/where", "on-local-nodes");
        assertThat(run("etcdctl", "--endpoints=http://" + addresses.get(2) + ":2379", "get", "--print-value-only", "slipway/where"))
                .contains("on-local-nodes");

        assertThat(cli("delete", "etcd-local", "-a", "--data-dir", data.toString())).isZero();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> get(stack, "/api/v1/infra/pools/etcd-local").path("state").asText(), "Deleted"::equals);
        assertThat(get(stack, "/api/v1/infra/pools/etcd-local").path("nodes")).allSatisfy(n ->
                assertThat(n.path("state").asText()).isEqualTo("Released"));
        // the nodes are gone with everything they ran: namespaces, processes (etcd, sshd), links and addresses
        await().atMost(Duration.ofSeconds(30)).until(() -> machine().equals(machineBefore));
        assertThat(processesNamed("etcd")).as("no etcd process is left").isEmpty();
        List<String> infraEvents = eventTypes(stack.bootstrapServers(), "slipway.infra.events", "etcd-local", "PoolDeleted");
        assertThat(infraEvents).containsSubsequence("PoolRequested", "PoolReady", "NodeReleased", "PoolDeleted");
    }

    /** Network namespaces, links and addresses of the machine, one line each. */
    private static Set<String> machine() throws Exception {
        Set<String> lines = new HashSet<>();
        namespaces().forEach(n -> lines.add("netns " + n));
        for (String l : run("ip", "-o", "link", "show").split("\n")) {
            String[] f = l.split(":\\s+");
            if (f.length > 1) {
                lines.add("link " + f[1].split("@")[0]);
            }
        }
        for (String l : run("ip", "-o", "addr", "show").split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 3) {
                lines.add("addr " + f[1] + " " + f[3]);
            }
        }
        return lines;
    }

    private static Set<String> namespacesIn(Set<String> machine) {
        Set<String> out = new HashSet<>();
        machine.stream().filter(l -> l.startsWith("netns ")).forEach(l -> out.add(l.substring(6)));
        return out;
    }

    private static List<String> namespaces() throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : run("ip", "netns", "list").split("\n")) {
            if (!l.isBlank()) {
                out.add(l.trim().split("\\s+")[0]);
            }
        }
        return out;
    }

    private static List<Long> processesNamed(String name) {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    private static int cli(String... args) {
        return io.slipway.cli.Slipway.commandLine().execute(args);
    }

    private JsonNode find(Stack stack, String path) throws Exception {
        URI uri = stack.gatewayUrl().resolve(path);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + stack.token(Role.viewer, Duration.ofHours(1)))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private JsonNode get(Stack stack, String path) throws Exception {
        URI uri = stack.gatewayUrl().resolve(path);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + stack.token(Role.viewer, Duration.ofHours(1)))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The event types of one aggregate on a topic, in order, up to {@code last}. */
    private static List<String> eventTypes(String bootstrapServers, String topic, String key, String last) {
        List<String> types = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (TopicTail tail = new TopicTail(bootstrapServers, topic, true)) {
            tail.read(0, line -> {
                String type = line.path("headers").path("eventType").asText();
                if (key.equals(line.path("key").asText())) {
                    types.add(type);
                }
                return !(key.equals(line.path("key").asText()) && type.equals(last));
            }, () -> System.nanoTime() > deadline);
        }
        return types;
    }
}
