package io.slipway.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.cli.gateway.Gateway;
import io.slipway.cli.stack.ProjectHome;
import io.slipway.cli.stack.ServiceProcess;
import io.slipway.cli.stack.Stack;
import io.slipway.cli.stack.StackFile;
import io.slipway.embedded.EmbeddedRegistry;
import io.slipway.security.Role;
import io.slipway.testkit.Needs;
import io.slipway.testkit.PrometheusText;
import io.slipway.testkit.chaos.TopicAudit;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.kube.SimulatedCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 4: two instances each of build-svc, deploy-svc and event-svc on one Kafka and one PostgreSQL, behind
 * a gateway that takes each service's instances in turn. 200 mixed operations (REST and CI builds, tags, pushes,
 * cluster runs and deletes, Kubernetes events to a webhook sink), half of them while both instances of each live, half
 * after the instance of each that holds the service's outbox relay was killed with SIGKILL. Every operation must end
 * once, every event must be on its topic once, both instances must have done consumer work while both lived, and the
 * relay must move to the surviving instance.
 */
class ScaleOutTest {
    private static final List<String> SCALED = List.of("build-svc", "deploy-svc", "event-svc");
    /** A group of each scaled service whose work both instances must have shared (the sink's, for event-svc). */
    private static final Map<String, String> SHARED_GROUPS = Map.of("build-svc", "build-svc.requests", "deploy-svc",
            "deploy-svc.build-catalog", "event-svc", "slipway-sink-hook");
    private static final int PER_WAVE = 100;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void twoInstancesShareTheWorkAndLosingOneOfEachLosesAndDoublesNothing(@TempDir Path dir) throws Exception {
        Needs.machine(HostFleet.defaultKind().isPresent(), "needs SSH test hosts (root: network namespaces, or an embedded SSH server)");
        Needs.machine(EmbeddedRegistry.available(), "needs Debian's docker-registry");
        try (HostFleet fleet = HostFleet.builder().hosts(2).build();
             SimulatedCluster kube = SimulatedCluster.start();
             HookReceiver hook = new HookReceiver();
             EmbeddedRegistry registry = EmbeddedRegistry.start(dir.resolve("registry"))) {
            Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), "scale");
            List<String> jvm = List.of("event-svc:-Dslipway.ingest.clusters.scale.kubeconfig=" + kubeconfig,
                    "event-svc:-Dslipway.outbound.allow=loopback");
            Path stackDir = Path.of("target", "scale-stack").toAbsolutePath();
            ChaosTest.deleteRecursively(stackDir);
            Stack.Options options = new Stack.Options(stackDir, ProjectHome.require(null), 0, Stack.DEFAULT_START_TIMEOUT, jvm, System.out);
            try (Stack stack = Stack.start(options)) {
                Map<String, List<URI>> instances = new LinkedHashMap<>();
                for (StackFile.Service s : stack.state().services()) {
                    instances.put(s.name(), new ArrayList<>(List.of(URI.create(s.url()))));
                }
                Map<String, ServiceProcess> second = new LinkedHashMap<>();
                for (String service : SCALED) {
                    ServiceProcess p = stack.launchInstance(service);
                    second.put(service, p);
                    instances.get(service).add(p.url());
                }
                await().atMost(Stack.DEFAULT_START_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                        .until(() -> second.values().stream().allMatch(p -> ServiceProcess.isHealthy(http, p.url())));

                Gateway front = Gateway.bind("127.0.0.1", 0);
                try {
                    front.startReplicated(instances);
                    String operator = stack.token(Role.operator, Duration.ofHours(2));
                    String viewer = stack.token(Role.viewer, Duration.ofHours(2));
                    GatewayClient gateway = new GatewayClient(front.url(), operator, viewer);
                    String context = ChaosTest.uploadContext(gateway);
                    ChaosTest.putRoutes(gateway, hook);
                    List<Operations.Op> all = new ArrayList<>();
                    Map<String, Duration> failover = new LinkedHashMap<>();
                    try (Operations ops = new Operations(gateway, stack.bootstrapServers(), context, ChaosTest.BASE_IMAGE, registry.host(),
                            Files.readString(fleet.clientKey()), kube)) {
                        ops.restBuild(new Operations.Op("setup", "rest-build", "setup-base"), ChaosTest.BASE_IMAGE);

                        wave(ops, all, "w1", fleet, hook, operator, null);
                        assertEachInstanceDidConsumerWork(instances, viewer);

                        Map<String, URI> leaders = relayLeaders(instances, viewer);
                        Map<String, java.util.concurrent.CompletableFuture<Duration>> takeovers = new LinkedHashMap<>();
                        // each takeover watched on its own thread from the kill on (the common pool has one thread on two cores)
                        ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor();
                        wave(ops, all, "w2", fleet, hook, operator, () -> {
                            Instant killed = Instant.now();
                            leaders.forEach((service, url) -> killAt(stack, second, service, url));
                            for (String service : SCALED) {
                                URI survivor = instances.get(service).stream().filter(u -> !u.equals(leaders.get(service))).findFirst().orElseThrow();
                                takeovers.put(service, java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                                    await("the relay of " + service + " moves to " + survivor).atMost(Duration.ofSeconds(90))
                                            .pollInterval(Duration.ofMillis(250)).until(() -> relayLeader(survivor, viewer));
                                    return Duration.between(killed, Instant.now());
                                }, watchers));
                            }
                        });
                        for (String service : SCALED) {
                            failover.put(service, takeovers.get(service).join());
                        }
                        watchers.shutdown();
                    }

                    List<String> findings = new ArrayList<>();
                    long lost = all.stream().filter(o -> o.ended == null).peek(o -> findings.add("lost: " + o)).count();
                    int[] ends = ChaosTest.endsRecorded(stack.bootstrapServers(), all, hook, findings);
                    int duplicateIds = 0;
                    for (String topic : ChaosTest.EVENT_TOPICS) {
                        TopicAudit.Result r = TopicAudit.audit(stack.bootstrapServers(), topic);
                        duplicateIds += r.duplicateIds().size();
                        if (!r.duplicateIds().isEmpty()) {
                            findings.add(topic + " holds event ids twice: " + r.duplicateIds());
                        }
                    }
                    int halfDone = ChaosTest.leftHalfDone(gateway, findings);
                    System.out.printf("scale-out: %d operations, %d lost, %d ends missing, %d ends doubled, %d event ids doubled,"
                            + " %d left half done; relay failover %s%n", all.size(), lost, ends[0], ends[1], duplicateIds, halfDone, failover);
                    assertThat(all).hasSize(2 * PER_WAVE);
                    assertThat(findings).as("lost, doubled or half-done operations").isEmpty();
                    ChaosTest.assertConsumersCaughtUp(stack.bootstrapServers());
                    ChaosTest.assertEventIntegrity(stack.bootstrapServers(), gateway);
                } finally {
                    front.close();
                }
            }
        }
    }

    /**
     * {@value #PER_WAVE} operations started at once; {@code strike} (when not null) runs as they start. Returns when every
     * one of them has ended or failed.
     */
    private static void wave(Operations ops, List<Operations.Op> all, String w, HostFleet fleet, HookReceiver hook, String operator,
                             Runnable strike) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            if (strike != null) {
                strike.run();
            }
            for (int i = 0; i < 20; i++) {
                Operations.Op rest = ChaosTest.op(all, w, "rest-build", w + "-rest-" + i);
                running.add(ChaosTest.start(pool, rest, () -> ops.restBuild(rest, "scale/" + rest.id + ":v1")));
                Operations.Op kafka = ChaosTest.op(all, w, "kafka-build", w + "-kafka-" + i);
                running.add(ChaosTest.start(pool, kafka, () -> ops.kafkaBuild(kafka, "scale/" + kafka.id + ":v1", operator)));
            }
            for (int i = 0; i < 30; i++) {
                Operations.Op tag = ChaosTest.op(all, w, "tag", "scale/" + w + "-tag-" + i + ":v1");
                running.add(ChaosTest.start(pool, tag, () -> ops.tag(tag, tag.id)));
            }
            for (int i = 0; i < 4; i++) {
                Operations.Op push = ChaosTest.op(all, w, "push", "scale/" + w + "-push-" + i);
                running.add(ChaosTest.start(pool, push, () -> ops.push(push, push.id)));
            }
            for (int i = 0; i < 2; i++) {
                Operations.Op run = ChaosTest.op(all, w, "cluster-run", "scale-" + w + "-" + i);
                Operations.Op delete = ChaosTest.op(all, w, "cluster-delete", "scale-" + w + "-" + i);
                var host = fleet.hosts().get(i % fleet.hosts().size());
                running.add(ChaosTest.start(pool, run, () -> {
                    ops.run(run, host);
                    ChaosTest.start(pool, delete, () -> ops.delete(delete)).get();
                }));
            }
            for (int i = 0; i < 22; i++) {
                Operations.Op sink = ChaosTest.op(all, w, "sink-delivery", w + "-event-" + i);
                running.add(ChaosTest.start(pool, sink, () -> ops.sinkDelivery(sink, hook)));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(all.stream().filter(o -> o.phase.equals(w)).count()).isEqualTo(PER_WAVE);
    }

    /** While both live, each instance of each scaled service applied events of the group they share. */
    private void assertEachInstanceDidConsumerWork(Map<String, List<URI>> instances, String viewer) {
        for (String service : SCALED) {
            String group = SHARED_GROUPS.get(service);
            for (URI instance : instances.get(service)) {
                await(service + " at " + instance + " applied events of " + group).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> workDone(instance, group) > 0);
            }
        }
    }

    /** Events this instance applied or delivered for {@code group} (its Prometheus counters). */
    private double workDone(URI instance, String group) throws Exception {
        String text = http.send(HttpRequest.newBuilder(instance.resolve("/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return group.startsWith("slipway-sink-")
                ? PrometheusText.sum(text, "slipway_sink_delivered_total", "sink=\"" + group.substring("slipway-sink-".length()) + "\"")
                : PrometheusText.sum(text, "slipway_consumer_applied_total", "group=\"" + group + "\"");
    }

    /** Which instance of each scaled service relays its outbox now. */
    private Map<String, URI> relayLeaders(Map<String, List<URI>> instances, String viewer) {
        Map<String, URI> leaders = new LinkedHashMap<>();
        for (String service : SCALED) {
            URI leader = await("one instance of " + service + " relays").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> instances.get(service).stream().filter(u -> relayLeader(u, viewer)).findFirst().orElse(null), u -> u != null);
            leaders.put(service, leader);
        }
        return leaders;
    }

    private boolean relayLeader(URI instance, String viewer) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(instance.resolve("/api/v1/backbone"))
                    .header("Authorization", "Bearer " + viewer).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && GatewayClient.JSON.readTree(r.body()).path("relayLeader").asBoolean();
        } catch (Exception e) {
            return false; // a killed or restarting instance relays nothing
        }
    }

    /** SIGKILL of the instance of {@code service} at {@code url}: the stack's own (which it restarts) or the second. */
    private static void killAt(Stack stack, Map<String, ServiceProcess> second, String service, URI url) {
        long pid = second.get(service).url().equals(url) ? second.get(service).pid() : stack.pidOf(service);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

}
