package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.embedded.Processes;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.KafkaTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Elasticsearch/OpenSearch sink against a real OpenSearch 2.19 node ({@link OpenSearchNode}, started once for the
 * class): what is indexed, where, under which id, how the server types it, and how the sink reads the server's own
 * per-item refusals (a mapping conflict, an index that refuses writes). Each test keeps to indices of its own prefix.
 * Faults a real node does not produce on demand (credentials, 5xx and 429 answers, stalls) are in
 * {@link ElasticsearchSinkFaultsTest} on a fake.
 */
class ElasticsearchSinkTest {
    @RegisterExtension
    static final OpenSearchNode NODE = new OpenSearchNode();

    private static final Instant LATE_MARCH_5 = Instant.parse("2024-03-05T23:59:59Z");
    private static final Instant EARLY_MARCH_6 = Instant.parse("2024-03-06T00:00:01Z");

    /** A receiver of the routing document; {@code kind} is elasticsearch or its alias opensearch. */
    private static String receiver(String name, String kind, String hosts, String options) {
        return """
                  - name: %s
                    %s: {hosts: [%s], %s}
                    retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                """.formatted(name, kind, hosts, options);
    }

    private static String receiver(String name, String options) {
        return receiver(name, "elasticsearch", node(), options);
    }

    private static String routes(String... receivers) {
        StringBuilder names = new StringBuilder();
        StringBuilder blocks = new StringBuilder();
        for (String r : receivers) {
            String name = r.lines().findFirst().orElseThrow().replace("- name:", "").strip();
            names.append(names.isEmpty() ? "" : ", ").append("{receiver: ").append(name).append('}');
            blocks.append(r);
        }
        return "route: {match: [" + names + "]}\nreceivers:\n" + blocks;
    }

    private static String node() {
        return "'" + NODE.url() + "'";
    }

    @Test
    void eachEventIsADocumentOfItsDaysIndexWithTheEventsFieldsTypedByTheServer() throws Exception {
        try (SinkHarness h = new SinkHarness(routes(
                receiver("daily", "index: daily"),
                receiver("monthly", "opensearch", node(), "index: monthly, indexDateFormat: yyyy.MM")))) {
            KubeEvent a = warning("BackOff").setLastSeen(LATE_MARCH_5).setCount(2).setMessage("Back-off restarting failed container")
                    .setInvolvedName("web-7").setInvolvedLabels(Map.of("app.kubernetes.io/name", "web")).setSource("kubelet")
                    .setSourceHost("node-3").build();
            KubeEvent b = warning("FailedMount").setLastSeen(EARLY_MARCH_6).build();
            h.burst(List.of(a, b));

            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("daily-*") == 2 && NODE.count("monthly-*") == 2);
            assertThat(NODE.indices("daily-*")).as("the day of the last occurrence, UTC")
                    .containsExactlyInAnyOrder("daily-2024.03.05", "daily-2024.03.06");
            assertThat(NODE.indices("monthly-*")).containsExactly("monthly-2024.03");

            JsonNode doc = NODE.document("daily-2024.03.05", a.getUid() + "-2");
            assertThat(doc).as("id = event uid + count").isNotNull();
            JsonNode source = doc.path("_source");
            assertThat(source.path("@timestamp").asText()).isEqualTo("2024-03-05T23:59:59Z");
            assertThat(source.path("uid").asText()).isEqualTo(a.getUid());
            assertThat(source.path("cluster").asText()).isEqualTo("test");
            assertThat(source.path("namespace").asText()).isEqualTo("default");
            assertThat(source.path("type").asText()).isEqualTo("Warning");
            assertThat(source.path("reason").asText()).isEqualTo("BackOff");
            assertThat(source.path("message").asText()).isEqualTo("Back-off restarting failed container");
            assertThat(source.path("count").asInt()).isEqualTo(2);
            assertThat(source.path("lastTimestamp").asText()).isEqualTo("2024-03-05T23:59:59Z");
            assertThat(source.path("involvedObject").path("kind").asText()).isEqualTo("Pod");
            assertThat(source.path("involvedObject").path("name").asText()).isEqualTo("web-7");
            assertThat(source.path("involvedObject").path("uid").asText()).isEqualTo(a.getInvolvedUid());
            assertThat(source.path("involvedObject").path("labels").path("app.kubernetes.io/name").asText()).isEqualTo("web");
            assertThat(source.path("source").path("component").asText()).isEqualTo("kubelet");
            assertThat(source.path("source").path("host").asText()).isEqualTo("node-3");
            assertThat(NODE.document("monthly-2024.03", a.getUid() + "-2")).isNotNull();

            JsonNode mapping = NODE.ok("GET", "/daily-2024.03.05/_mapping", null).path("daily-2024.03.05").path("mappings").path("properties");
            assertThat(mapping.path("@timestamp").path("type").asText()).as("the server reads @timestamp as a date").isEqualTo("date");
            assertThat(mapping.path("count").path("type").asText()).isEqualTo("long");
            List<JsonNode> since = NODE.search("daily-*", "{\"query\":{\"range\":{\"@timestamp\":{\"gte\":\"2024-03-06T00:00:00Z\"}}}}");
            assertThat(since).as("a time filter of the server").singleElement()
                    .satisfies(hit -> assertThat(hit.path("_id").asText()).isEqualTo(b.getUid() + "-1"));
            List<JsonNode> byReason = NODE.search("daily-*", "{\"query\":{\"match\":{\"message\":\"restarting\"}}}");
            assertThat(byReason).as("full text on the message").singleElement()
                    .satisfies(hit -> assertThat(hit.path("_id").asText()).isEqualTo(a.getUid() + "-2"));
        }
    }

    @Test
    void aBurstOfManyEventsIsIndexedInBulksEachDocumentOnce() throws Exception {
        try (SinkHarness h = new SinkHarness(routes(receiver("many", "index: many") + "    batchSize: 100\n"))) {
            List<KubeEvent> events = IntStream.range(0, 600)
                    .mapToObj(i -> warning("BackOff").setInvolvedName("web-" + (i % 40)).setLastSeen(EARLY_MARCH_6).build()).toList();
            h.burst(events);

            await().atMost(Duration.ofSeconds(60)).until(() -> NODE.count("many-*") == 600);
            List<JsonNode> docs = NODE.documents("many-*");
            assertThat(docs).hasSize(600);
            assertThat(docs.stream().map(d -> d.path("_id").asText()))
                    .containsExactlyInAnyOrderElementsOf(events.stream().map(e -> e.getUid() + "-1").toList());
            assertThat(docs).as("no document written twice").allSatisfy(d -> assertThat(d.path("_version").asLong()).isEqualTo(1));
            assertThat(h.counters("many").delivered()).isEqualTo(600);
            assertThat(h.counters("many").retried()).isZero();
        }
    }

    @Test
    void anEventDeliveredAgainOrReplayedIsTheSameDocumentAndANewOccurrenceIsAnother() throws Exception {
        try (SinkHarness h = new SinkHarness(routes(receiver("again", "index: again")))) {
            KubeEvent first = warning("BackOff").setLastSeen(EARLY_MARCH_6).build();
            h.publish(first);
            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("again-*") == 1);

            h.publish(first); // the ingest published it twice (at least once)
            await().atMost(Duration.ofSeconds(30)).until(() -> version("again-2024.03.06", first.getUid() + "-1") == 2);
            assertThat(NODE.count("again-*")).as("one document, written twice").isEqualTo(1);

            KubeEvent repeated = KubeEvent.newBuilder(first).setCount(2).setLastSeen(EARLY_MARCH_6.plusSeconds(60)).build();
            h.publish(repeated);
            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("again-*") == 2);

            h.sinks.replay("again", new ReplayFrom.Earliest()); // the three records again: first twice, then repeated
            await().atMost(Duration.ofSeconds(30)).until(() -> version("again-2024.03.06", first.getUid() + "-1") == 4
                    && version("again-2024.03.06", first.getUid() + "-2") == 2);
            assertThat(NODE.count("again-*")).as("a replay replaces documents, it never duplicates them").isEqualTo(2);
        }
    }

    @Test
    void aDocumentTheMappingRefusesIsDeadLetteredAloneAndNotRetried() throws Exception {
        try (SinkHarness h = new SinkHarness(routes(receiver("mapped", "index: mapped")))) {
            // Kubernetes' recommended labels make involvedObject.labels.app an object; a legacy pod's plain "app" label
            // then cannot be indexed into the same day's index: the server's own mapping conflict
            KubeEvent recommended = warning("BackOff").setLastSeen(EARLY_MARCH_6)
                    .setInvolvedLabels(Map.of("app.kubernetes.io/name", "web")).build();
            h.publish(recommended);
            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("mapped-*") == 1);

            String object = UUID.randomUUID().toString();
            KubeEvent legacy = warning("Unhealthy").setInvolvedUid(object).setLastSeen(EARLY_MARCH_6)
                    .setInvolvedLabels(Map.of("app", "legacy")).build();
            KubeEvent plain = warning("Pulled").setInvolvedUid(object).setLastSeen(EARLY_MARCH_6).build();
            h.burst(List.of(legacy, plain));

            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("mapped-*") == 2 && h.counters("mapped").deadLettered() == 1);
            assertThat(NODE.document("mapped-2024.03.06", plain.getUid() + "-1")).isNotNull();
            assertThat(NODE.document("mapped-2024.03.06", legacy.getUid() + "-1")).isNull();
            ConsumerRecord<String, byte[]> dead = h.deadLetters("mapped").get(0);
            assertThat(SinkHarness.decode(dead.value()).getUid()).isEqualTo(legacy.getUid());
            assertThat(KafkaTopics.header(dead, "dead-letter-reason")).contains("status 400").contains("mapper_parsing_exception")
                    .contains("involvedObject.labels.app");
            assertThat(h.counters("mapped").retried()).as("a mapping error is for good").isZero();
        }
    }

    @Test
    void anIndexRefusingWritesHasItsItemsRetriedAloneUntilItTakesThem() throws Exception {
        // what a cluster does at the flood-stage disk watermark: the index takes no writes, bulk items for it get 429
        NODE.ok("PUT", "/full-2024.03.05", "{\"settings\":{\"index.blocks.read_only_allow_delete\":true}}");
        try (SinkHarness h = new SinkHarness(routes(receiver("full", "index: full")))) {
            String object = UUID.randomUUID().toString();
            KubeEvent blocked = warning("BackOff").setInvolvedUid(object).setLastSeen(LATE_MARCH_5).build();
            KubeEvent free = warning("FailedMount").setInvolvedUid(object).setLastSeen(EARLY_MARCH_6).build();
            h.burst(List.of(blocked, free));

            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("full-2024.03.06") == 1 && h.counters("full").retried() >= 3);
            assertThat(NODE.count("full-2024.03.05")).isZero();
            assertThat(h.counters("full").deadLettered()).isZero();

            NODE.ok("PUT", "/full-2024.03.05/_settings", "{\"index.blocks.read_only_allow_delete\":null}");
            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("full-2024.03.05") == 1);
            assertThat(version("full-2024.03.05", blocked.getUid() + "-1")).isEqualTo(1);
            assertThat(version("full-2024.03.06", free.getUid() + "-1")).as("the accepted item was not sent again").isEqualTo(1);
            assertThat(h.counters("full").deadLettered()).isZero();
        }
    }

    @Test
    void aHostThatCannotBeReachedIsPassedOverForTheNext() throws Exception {
        String down = "'http://" + Processes.LOOPBACK + ":" + Processes.freePort() + "'";
        try (SinkHarness h = new SinkHarness(routes(receiver("two", "elasticsearch", down + ", " + node(), "index: two")))) {
            KubeEvent e = warning("BackOff").setLastSeen(EARLY_MARCH_6).build();
            h.publish(e);

            await().atMost(Duration.ofSeconds(30)).until(() -> NODE.count("two-*") == 1);
            assertThat(NODE.document("two-2024.03.06", e.getUid() + "-1")).isNotNull();
            assertThat(h.counters("two").retried()).as("the first host refused the connection").isEqualTo(1);
        }
    }

    private static long version(String index, String id) {
        JsonNode doc = NODE.document(index, id);
        return doc == null ? 0 : doc.path("_version").asLong();
    }
}
