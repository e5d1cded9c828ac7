package io.slipway.event.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.backbone.BackboneConfig;
import io.slipway.backbone.BackboneConfigs;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.schema.ServiceMigrations;
import io.slipway.testkit.Infra;
import io.slipway.testkit.SlipwayInfra;
import io.slipway.testkit.kube.GeneratedEvent;
import io.slipway.testkit.kube.InvolvedObject;
import io.slipway.testkit.kube.SimulatedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest against a simulated cluster (fabric8's mock API server with the real list/watch contract, see
 * {@link SimulatedCluster}), the test JVM's real Kafka and real PostgreSQL: what reaches {@code slipway.kube.events}
 * across crashes, expired resourceVersions, repeats, old events and a slow Kafka.
 */
class EventIngestTest {
    private static final String DB = "event_ingest";
    private static final Duration PUBLISHED = Duration.ofSeconds(60);
    private static BackboneConfig backbone;

    @TempDir
    Path dir;
    private SimulatedCluster cluster;
    private String name;
    private String topic;
    private Path kubeconfig;
    private final List<EventIngest> running = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void infrastructure() throws ClassNotFoundException {
        // a @QuarkusTest that ran before in this JVM left DriverManager with its class loader's driver only, which
        // the test kit's DriverManager lookup cannot see; loading the driver here registers this class loader's
        Class.forName("org.postgresql.Driver", true, EventIngestTest.class.getClassLoader());
        Infra infra = SlipwayInfra.get();
        infra.createDatabaseIfMissing(DB);
        ServiceMigrations.migrate(infra.jdbcUrl(DB), infra.dbUser(), infra.dbPassword(), "filesystem:src/main/resources/db/migration");
        backbone = BackboneConfigs.of(Map.of(
                "slipway.domain", "event",
                "slipway.kafka.bootstrap-servers", infra.bootstrapServers(),
                "slipway.db.host", infra.dbHost(),
                "slipway.db.port", String.valueOf(infra.dbPort()),
                "slipway.db.name", DB,
                "slipway.db.user", infra.dbUser(),
                "slipway.db.password", infra.dbPassword()));
    }

    @BeforeEach
    void cluster() {
        // no grace before a watch's first event: the ingest must not lose what follows the handshake at once
        cluster = SimulatedCluster.start().firstEventDelay(Duration.ZERO);
        name = "sim-" + UUID.randomUUID().toString().substring(0, 8);
        topic = "test.kube.events." + name;
        kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), name);
    }

    @AfterEach
    void stop() throws Exception {
        running.forEach(EventIngest::stop);
        for (AutoCloseable c : closing) {
            c.close();
        }
        cluster.close();
    }

    @Test
    void aCrashMidStreamNeitherLosesNorRepeatsAnOccurrence() {
        List<InvolvedObject> pods = pods(20);
        TopicReader reader = reader();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        EventIngest first = watching(ingest(config("slipway.ingest.pipeline.checkpoint-interval", "300ms"), metrics), 1);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            if (i == 1000) {
                // a checkpoint exists (else the next run would be a first start, which sees only current counts)
                await().atMost(PUBLISHED).until(() -> reader.size() >= 200
                        && metrics.get("slipway.ingest.checkpoints").counter().count() >= 1);
                first.halt(); // while the first 1000 are still being published and checkpointed
                running.remove(first);
            }
            if (i == 1800) {
                ingest(config());
            }
            // 300 distinct events (pod x message), each recurring about 8 times: new Events and rising counts
            written.add(cluster.events().record(pods.get(i % 20), "Warning", "BackOff", "restarting container " + (i % 150)).occurrence());
        }
        assertThat(new HashSet<>(written)).hasSize(written.size());

        awaitExactly(reader, written);
    }

    @Test
    void occurrencesKafkaTookBeforeACrashAreRecognisedAfterIt() {
        List<InvolvedObject> pods = pods(5);
        TopicReader reader = reader();
        // no checkpoint is stored during the run: all it published is known to the next one only through Kafka
        EventIngest first = watching(ingest(config("slipway.ingest.pipeline.checkpoint-interval", "1h")), 1);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            written.add(cluster.events().record(pods.get(i % 5), "Normal", "Pulled", "image " + i).occurrence());
        }
        await().atMost(PUBLISHED).until(() -> reader.size() == 100);
        first.halt();
        running.remove(first);

        ingest(config());
        for (int i = 0; i < 10; i++) {
            written.add(cluster.events().record(pods.get(i % 5), "Normal", "Pulled", "image " + i).occurrence());
        }
        awaitExactly(reader, written);
    }

    @Test
    void anExpiredResourceVersionIsRelistedWithoutDuplicates() {
        List<InvolvedObject> pods = pods(10);
        TopicReader reader = reader();
        EventIngest first = watching(ingest(config()), 1);
        List<GeneratedEvent> before = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            before.add(cluster.events().record(pods.get(i % 10), "Warning", "Unhealthy", "probe failed " + i));
        }
        await().atMost(PUBLISHED).until(() -> reader.size() == 30);
        first.stop();
        running.remove(first);

        // while the ingest is down: new events, repeats, and one repeated twice, then the history is compacted
        List<String> expected = new ArrayList<>(before.stream().map(GeneratedEvent::occurrence).toList());
        for (int i = 0; i < 10; i++) {
            expected.add(cluster.events().record(pods.get(i), "Normal", "Scheduled", "assigned " + i).occurrence());
            expected.add(cluster.events().record(pods.get(i % 10), "Warning", "Unhealthy", "probe failed " + i).occurrence());
        }
        GeneratedEvent twice = cluster.events().record(pods.get(0), "Warning", "Unhealthy", "probe failed 10");
        GeneratedEvent thrice = cluster.events().record(pods.get(0), "Warning", "Unhealthy", "probe failed 10");
        expected.add(thrice.occurrence());
        cluster.compact();

        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        ingest(config(), metrics);
        awaitExactly(reader, expected);
        assertThat(reader.occurrences()).as("only the latest count of an event repeated twice is still in the cluster")
                .doesNotContain(twice.occurrence());
        assertThat(metrics.get("slipway.ingest.relists").counter().count()).isEqualTo(1);
        assertThat(metrics.get("slipway.ingest.duplicates.skipped").counter().count()).isGreaterThanOrEqualTo(19);
    }

    @Test
    void aRepeatIsExportedAsAnotherOccurrenceOnceWhicheverApiDeliversIt() {
        InvolvedObject pod = pods(1).get(0);
        TopicReader reader = reader();
        watching(ingest(config("slipway.ingest.clusters." + name + ".apis", "v1,events.k8s.io/v1")), 2);
        List<String> expected = new ArrayList<>();
        GeneratedEvent legacy = null;
        for (int i = 0; i < 3; i++) {
            legacy = cluster.events().record(pod, "Warning", "BackOff", "back-off restarting failed container");
            expected.add(legacy.occurrence());
            expected.add(cluster.events().emit(pod, "Warning", "FailedScheduling", "Scheduling", "0/3 nodes are available").occurrence());
        }
        assertThat(expected).extracting(o -> o.substring(o.indexOf('/') + 1)).containsExactly("1", "1", "2", "2", "3", "3");
        // an update that is no new occurrence (same count) goes out again through neither API
        GeneratedEvent last = legacy;
        cluster.client().v1().events().inNamespace(last.namespace()).withName(last.name()).edit(e -> {
            e.getMetadata().setAnnotations(Map.of("touched", "yes"));
            return e;
        });

        awaitExactly(reader, expected);
        List<TopicReader.Published> records = reader.records();
        assertThat(records).extracting(r -> r.headers().get(EventHeaders.EVENT_ID)).doesNotHaveDuplicates();
        assertThat(records.stream().filter(r -> r.event().getUid().equals(last.uid())).map(r -> r.event().getCount()).toList())
                .as("occurrences of one object are in order (one key, one partition)").containsExactly(1, 2, 3);
    }

    @Test
    void aSecondInstanceStandsByAndTakesOverWithoutDuplicates() {
        List<InvolvedObject> pods = pods(5);
        TopicReader reader = reader();
        SimpleMeterRegistry firstMetrics = new SimpleMeterRegistry();
        SimpleMeterRegistry secondMetrics = new SimpleMeterRegistry();
        EventIngest first = watching(ingest(config(), firstMetrics), 1);
        EventIngest second = ingest(config("slipway.ingest.pipeline.restart-backoff", "100ms"), secondMetrics);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            written.add(cluster.events().record(pods.get(i % 5), "Normal", "Pulled", "image " + i).occurrence());
        }
        await().atMost(PUBLISHED).until(() -> reader.size() == 50);
        assertThat(cluster.openWatches()).as("only the instance holding the cluster's lock watches").isEqualTo(1);
        assertThat(secondMetrics.get("slipway.ingest.events.published").counter().count()).isZero();

        first.stop();
        running.remove(first);
        await().atMost(PUBLISHED).until(() -> cluster.openWatches() == 1);
        for (int i = 0; i < 50; i++) {
            written.add(cluster.events().record(pods.get(i % 5), "Normal", "Pulled", "image " + i).occurrence());
        }
        awaitExactly(reader, written);
        assertThat(secondMetrics.get("slipway.ingest.events.published").counter().count()).isEqualTo(50);
        assertThat(second.failing()).isEmpty();
    }

    @Test
    void oldEventsAreSkippedOnFirstStartUnlessAsked() {
        InvolvedObject pod = pods(1).get(0);
        GeneratedEvent old = cluster.events().record(pod, "Warning", "OOMKilled", "container ran out of memory", Instant.now().minus(Duration.ofHours(2)));
        GeneratedEvent recent = cluster.events().record(pod, "Normal", "Started", "container started", Instant.now().minusSeconds(10));
        TopicReader reader = reader();

        EventIngest defaults = ingest(config());
        awaitExactly(reader, List.of(recent.occurrence()));
        // skipped, not forgotten: after a relist it is still not taken for something missed
        defaults.stop();
        running.remove(defaults);
        cluster.compact();
        ingest(config());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> reader.size() == 1);

        String backfill = name + "-backfill";
        Map<String, String> asked = new HashMap<>(config());
        asked.put("slipway.ingest.clusters." + backfill + ".kubeconfig", kubeconfig.toString());
        asked.put("slipway.ingest.clusters." + backfill + ".context", name);
        asked.put("slipway.ingest.max-event-age", "3h");
        asked.keySet().removeIf(k -> k.startsWith("slipway.ingest.clusters." + name + "."));
        ingest(asked);
        await().atMost(PUBLISHED).until(() -> reader.size() == 3);
        assertThat(reader.records().stream().filter(r -> r.event().getCluster().equals(backfill)).map(TopicReader.Published::occurrence))
                .containsExactlyInAnyOrder(old.occurrence(), recent.occurrence());
    }

    @Test
    void aSlowKafkaStopsTheWatchInsteadOfFillingMemory() throws Exception {
        List<InvolvedObject> pods = pods(10);
        int capacity = 100;
        int maxInFlight = 50;
        TopicReader reader = reader();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        EventIngest ingest = ingest(config("slipway.ingest.pipeline.queue-capacity", String.valueOf(capacity),
                "slipway.ingest.pipeline.max-in-flight", String.valueOf(maxInFlight)), metrics);
        ClusterIngest pipeline = watching(ingest, 1).cluster(name);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfra.get().bootstrapServers()))) {
            throttle(admin, 16_384.0);
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                written.add(cluster.events().record(pods.get(i % 10), "Warning", "FailedMount", "volume not ready " + i).occurrence());
            }
            AtomicInteger samples = new AtomicInteger();
            int bound = 2 * capacity + maxInFlight + 1;
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
                samples.incrementAndGet();
                double read = metrics.get("slipway.ingest.events.watched").counter().count();
                double published = metrics.get("slipway.ingest.events.published").counter().count();
                // what the pipeline holds (read, not yet acknowledged) stays bounded while most is still unread
                return read - published <= bound && written.size() - published > 5 * bound;
            });
            assertThat(samples.get()).isGreaterThan(10);
            assertThat(metrics.get("slipway.ingest.watch.paused").counter().count()).as("the watch stopped reading").isPositive();
            assertThat(pipeline.queuePeak()).isLessThanOrEqualTo(capacity);
            assertThat(pipeline.inFlightPeak()).isLessThanOrEqualTo(maxInFlight);

            throttle(admin, null);
            awaitExactly(reader, written);
        }
    }

    @Test
    void chosenNamespacesOfSeveralClustersAreEnrichedAndKeyedByTheirObject() {
        SimulatedCluster other = SimulatedCluster.start().firstEventDelay(Duration.ZERO);
        closing.add(other);
        Map<String, SimulatedCluster> contexts = new LinkedHashMap<>();
        contexts.put("ctx-a", cluster);
        contexts.put("ctx-b", other);
        Path both = SimulatedCluster.writeKubeconfig(dir.resolve("both"), contexts);
        String alpha = name + "-alpha";
        String beta = name + "-beta";
        Map<String, String> props = new HashMap<>(Map.of(
                "slipway.ingest.topic", topic,
                "slipway.ingest.pipeline.checkpoint-interval", "100ms",
                "slipway.ingest.clusters." + alpha + ".kubeconfig", both.toString(),
                "slipway.ingest.clusters." + alpha + ".context", "ctx-a",
                "slipway.ingest.clusters." + alpha + ".namespaces", "team-a",
                "slipway.ingest.clusters." + beta + ".kubeconfig", both.toString(),
                "slipway.ingest.clusters." + beta + ".context", "ctx-b",
                "slipway.ingest.clusters." + beta + ".apis", "events.k8s.io/v1"));
        InvolvedObject web = cluster.createPod("team-a", "web-0", Map.of("app", "web", "tier", "front"),
                Map.of("owner", "alice", "kubectl.kubernetes.io/last-applied-configuration", "{\"big\":\"json\"}"));
        InvolvedObject db = cluster.createPod("team-b", "db-0", Map.of("app", "db"), Map.of());
        InvolvedObject node = other.createNode("node-7", Map.of("zone", "eu-1"));
        InvolvedObject api = other.createDeployment("team-c", "api", Map.of("app", "api"), Map.of("team", "c"));
        TopicReader reader = reader();
        ingest(props);
        await().atMost(PUBLISHED).until(() -> cluster.openWatches() == 1 && other.openWatches() == 1);

        GeneratedEvent webEvent = cluster.events().record(web, "Warning", "BackOff", "back-off");
        cluster.events().record(db, "Warning", "BackOff", "not watched: team-b");
        GeneratedEvent nodeEvent = other.events().record(node, "Warning", "NodeNotReady", "kubelet stopped posting status");
        GeneratedEvent apiEvent = other.events().emit(api, "Normal", "ScalingReplicaSet", "Scaling", "scaled up to 3");

        awaitExactly(reader, List.of(webEvent.occurrence(), nodeEvent.occurrence(), apiEvent.occurrence()));
        Map<String, TopicReader.Published> byUid = new HashMap<>();
        reader.records().forEach(r -> byUid.put(r.event().getUid(), r));

        TopicReader.Published w = byUid.get(webEvent.uid());
        assertThat(w.key()).isEqualTo(web.uid());
        assertThat(w.event().getCluster()).isEqualTo(alpha);
        assertThat(w.event().getApiGroup()).isEqualTo("v1");
        assertThat(w.event().getInvolvedLabels()).isEqualTo(Map.of("app", "web", "tier", "front"));
        assertThat(w.event().getInvolvedAnnotations()).as("last-applied-configuration left out").isEqualTo(Map.of("owner", "alice"));
        assertThat(w.event().getSource()).isEqualTo("kubelet");
        assertThat(w.event().getResourceVersion()).isEqualTo(Long.toString(webEvent.resourceVersion()));
        assertThat(w.headers()).containsKeys(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE, EventHeaders.CORRELATION_ID, EventHeaders.TRACEPARENT);
        assertThat(w.headers().get(EventHeaders.EVENT_TYPE)).isEqualTo("KubeEvent");

        TopicReader.Published n = byUid.get(nodeEvent.uid());
        assertThat(n.key()).isEqualTo(node.uid());
        assertThat(n.event().getCluster()).isEqualTo(beta);
        assertThat(n.event().getApiGroup()).isEqualTo("events.k8s.io/v1");
        assertThat(n.event().getNamespace()).isEqualTo("default");
        assertThat(n.event().getInvolvedNamespace()).isNull();
        assertThat(n.event().getInvolvedLabels()).isEqualTo(Map.of("zone", "eu-1"));

        TopicReader.Published a = byUid.get(apiEvent.uid());
        assertThat(a.key()).isEqualTo(api.uid());
        assertThat(a.event().getInvolvedKind()).isEqualTo("Deployment");
        assertThat(a.event().getInvolvedAnnotations()).isEqualTo(Map.of("team", "c"));
        assertThat(a.event().getSource()).isEqualTo("default-scheduler");
        assertThat(a.event().getMessage()).isEqualTo("scaled up to 3");
    }

    @Test
    void aMissingContextIsNamedWithItsKeyAndFile() {
        Map<String, String> props = config("slipway.ingest.clusters." + name + ".context", "nope");
        assertThatThrownBy(() -> ingest(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slipway.ingest.clusters." + name + ".context")
                .hasMessageContaining(kubeconfig.toString())
                .hasMessageContaining("no context 'nope' (it has: " + name + ")");
        Map<String, String> api = config("slipway.ingest.clusters." + name + ".apis", "events/v2");
        assertThatThrownBy(() -> ingest(api)).hasMessageContaining("slipway.ingest.clusters." + name + ".apis")
                .hasMessageContaining("events/v2");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private List<InvolvedObject> pods(int n) {
        return IntStream.range(0, n).mapToObj(i -> cluster.createPod("team-a", "web-" + i, Map.of("app", "web"), Map.of())).toList();
    }

    private TopicReader reader() {
        TopicReader reader = new TopicReader(topic);
        closing.add(reader);
        return reader;
    }

    /** This test's cluster and topic, fast checkpoints and retries, plus {@code keyValues}. */
    private Map<String, String> config(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("slipway.ingest.topic", topic);
        props.put("slipway.ingest.clusters." + name + ".kubeconfig", kubeconfig.toString());
        props.put("slipway.ingest.clusters." + name + ".context", name);
        props.put("slipway.ingest.pipeline.checkpoint-interval", "100ms");
        props.put("slipway.ingest.watch.initial-backoff", "50ms");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private EventIngest ingest(Map<String, String> props) {
        return ingest(props, new SimpleMeterRegistry());
    }

    private EventIngest ingest(Map<String, String> props, MeterRegistry metrics) {
        EventIngest ingest = new EventIngest(IngestConfigs.of(props), backbone, metrics);
        ingest.start();
        running.add(ingest);
        return ingest;
    }

    /**
     * Waits until the ingest watches ({@code watches} open watches on the cluster): a first start lists what is there
     * and watches from then on, so only occurrences written after that are each seen.
     */
    private EventIngest watching(EventIngest ingest, int watches) {
        await().atMost(PUBLISHED).until(() -> cluster.openWatches() == watches);
        return ingest;
    }

    /** Every expected occurrence arrives, and then nothing else: no duplicate, nothing unexpected. */
    private static void awaitExactly(TopicReader reader, List<String> expected) {
        Set<String> wanted = new HashSet<>(expected);
        await().atMost(PUBLISHED).until(() -> new HashSet<>(reader.occurrences()).containsAll(wanted));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> reader.size() == expected.size());
        assertThat(reader.occurrences()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    private void throttle(Admin admin, Double bytesPerSecond) throws Exception {
        ClientQuotaEntity producer = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "slipway-ingest-" + name));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(producer,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond))))).all().get();
    }
}
