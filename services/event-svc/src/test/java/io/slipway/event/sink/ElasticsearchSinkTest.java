package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.event.TestReceiver.Request;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.KafkaTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Elasticsearch sink against a local server implementing the bulk API's contract: NDJSON action and source lines,
 * {@code index} with {@code _index} and {@code _id} (a second write of an id replaces the document and bumps its
 * version), and an answer with one item per action carrying its own status and error.
 */
class ElasticsearchSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Documents by index and id, their versions, and which documents are refused once (429) or always (400). */
    static final class Bulk {
        final Map<String, Map<String, JsonNode>> indices = new ConcurrentHashMap<>();
        final Map<String, Integer> versions = new ConcurrentHashMap<>();
        final Set<String> throttledOnce = ConcurrentHashMap.newKeySet();
        final AtomicInteger requests = new AtomicInteger();

        Answer handle(Request r) {
            if (!r.method().equals("POST") || !r.path().equals("/_bulk")) {
                return new Answer(404, "{}", Map.of());
            }
            if (!String.valueOf(r.header("Content-Type")).startsWith("application/x-ndjson")) {
                return Answer.json(406, "{\"error\":\"Content-Type must be application/x-ndjson\"}");
            }
            if (!"Basic ZWxhc3RpYzpjaGFuZ2VtZQ==".equals(r.header("Authorization"))) {
                return Answer.json(401, "{\"error\":\"missing authentication credentials\"}");
            }
            requests.incrementAndGet();
            try {
                String[] lines = r.body().split("\n");
                ObjectNode answer = JSON.createObjectNode();
                ArrayNode items = answer.putArray("items");
                boolean errors = false;
                for (int i = 0; i + 1 < lines.length; i += 2) {
                    JsonNode action = JSON.readTree(lines[i]).path("index");
                    JsonNode source = JSON.readTree(lines[i + 1]);
                    String index = action.path("_index").asText();
                    String id = action.path("_id").asText();
                    ObjectNode item = items.addObject().putObject("index");
                    item.put("_index", index).put("_id", id);
                    String reason = source.path("reason").asText();
                    if (reason.equals("Throttled") && throttledOnce.add(id)) {
                        item.put("status", 429).putObject("error").put("type", "es_rejected_execution_exception").put("reason", "queue full");
                        errors = true;
                    } else if (reason.equals("Poison")) {
                        item.put("status", 400).putObject("error").put("type", "mapper_parsing_exception").put("reason", "failed to parse field [count]");
                        errors = true;
                    } else {
                        boolean existed = indices.computeIfAbsent(index, x -> new ConcurrentHashMap<>()).put(id, source) != null;
                        item.put("status", existed ? 200 : 201).put("result", existed ? "updated" : "created")
                                .put("_version", versions.merge(index + "/" + id, 1, Integer::sum));
                    }
                }
                answer.put("took", 3).put("errors", errors);
                return Answer.json(200, JSON.writeValueAsString(answer));
            } catch (Exception e) {
                return Answer.json(400, "{\"error\":\"" + e.getMessage() + "\"}");
            }
        }

        int documents() {
            return indices.values().stream().mapToInt(Map::size).sum();
        }
    }

    @Test
    void indexPerDayIdsFromOccurrencesAndPerItemErrors() throws Exception {
        Bulk bulk = new Bulk();
        try (TestReceiver es = TestReceiver.start(bulk::handle);
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: search}]}
                     receivers:
                       - name: search
                         opensearch: {hosts: ['%s'], index: kube, username: elastic, password: changeme}
                         retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                         batchSize: 50
                     """.formatted(es.url("")))) {
            Instant lateMarch5 = Instant.parse("2024-03-05T23:59:59Z");
            Instant earlyMarch6 = Instant.parse("2024-03-06T00:00:01Z");
            KubeEvent a = warning("BackOff").setLastSeen(lateMarch5).setCount(2).build();
            KubeEvent b = warning("FailedMount").setLastSeen(earlyMarch6).build();
            KubeEvent throttled = warning("Throttled").setLastSeen(earlyMarch6).build();
            KubeEvent poison = warning("Poison").setLastSeen(earlyMarch6).build();
            h.burst(List.of(a, b, throttled, poison));

            await().atMost(Duration.ofSeconds(20)).until(() -> bulk.documents() == 3 && h.counters("search").deadLettered() == 1);
            assertThat(bulk.indices.keySet()).containsExactlyInAnyOrder("kube-2024.03.05", "kube-2024.03.06");
            JsonNode docA = bulk.indices.get("kube-2024.03.05").get(a.getUid() + "-2");
            assertThat(docA.path("reason").asText()).isEqualTo("BackOff");
            assertThat(docA.path("@timestamp").asText()).isEqualTo("2024-03-05T23:59:59Z");
            assertThat(docA.path("involvedObject").path("kind").asText()).isEqualTo("Pod");
            assertThat(bulk.indices.get("kube-2024.03.06")).containsKeys(b.getUid() + "-1", throttled.getUid() + "-1");
            assertThat(KafkaTopics.header(h.deadLetters("search").get(0), "dead-letter-reason")).contains("mapper_parsing_exception");
            assertThat(SinkHarness.decode(h.deadLetters("search").get(0).value()).getUid()).isEqualTo(poison.getUid());
            assertThat(h.counters("search").retried()).as("only the throttled item was retried").isEqualTo(1);
            assertThat(bulk.versions.get("kube-2024.03.06/" + b.getUid() + "-1")).as("b was not sent twice").isEqualTo(1);

            Map<Integer, Long> from = h.sinks.replay("search", new ReplayFrom.Earliest());
            assertThat(from.values()).containsOnly(0L);
            await().atMost(Duration.ofSeconds(20)).until(() -> bulk.versions.get("kube-2024.03.06/" + b.getUid() + "-1") == 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> h.counters("search").deadLettered() == 2);
            assertThat(bulk.documents()).as("a redelivery replaces documents, it never duplicates them").isEqualTo(3);
        }
    }
}
