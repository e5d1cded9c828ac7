package io.slipway.event.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.event.TestReceiver;
import io.slipway.event.TestReceiver.Answer;
import io.slipway.event.TestReceiver.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FAKE of the bulk API, for the faults a real OpenSearch node will not produce on demand (the real node is
 * {@link OpenSearchNode}): a whole bulk answered 5xx or 429, an answer without one item per document, a server that
 * stalls, an item refused 503, credentials checked (the test node runs without the security plugin).
 *
 * <p>Otherwise it keeps the contract: {@code POST /_bulk} with {@code Content-Type: application/x-ndjson}, NDJSON
 * action and source lines, {@code index} with {@code _index} and {@code _id} (a second write of an id replaces the
 * document and bumps its version), one answer item per action with its own status. It has no mappings: what a document
 * may hold is the real node's business.
 */
final class FakeBulkServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Documents by index and id. */
    final Map<String, Map<String, JsonNode>> indices = new ConcurrentHashMap<>();
    /** Versions by {@code index/id}: how often the document was written. */
    final Map<String, Integer> versions = new ConcurrentHashMap<>();
    /** Every bulk request as it came, before it was answered (a stalled one too). */
    private final Queue<Request> received = new ConcurrentLinkedQueue<>();

    private final String authorization;
    private final Queue<Answer> nextAnswers = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> itemFailuresOnce = new ConcurrentHashMap<>();
    private final AtomicInteger stalls = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final TestReceiver http;

    /** Listening on a free loopback port; bulk requests must carry {@code authorization} (null: any or none). */
    FakeBulkServer(String authorization) {
        this.authorization = authorization;
        this.http = TestReceiver.start(this::handle);
    }

    /** The base URL a sink is given as its host. */
    String url() {
        return http.url("");
    }

    /** The next bulk requests get these answers, one each, whatever they hold (nothing is indexed). */
    FakeBulkServer answerNext(Answer... answers) {
        nextAnswers.addAll(List.of(answers));
        return this;
    }

    /** The first time a document with this {@code reason} comes, its item is refused with {@code status}. */
    FakeBulkServer failItemOnce(String reason, int status) {
        itemFailuresOnce.put(reason, status);
        return this;
    }

    /** The next {@code n} bulk requests get no answer until {@link #close()} (nothing of them is indexed). */
    FakeBulkServer stallNext(int n) {
        stalls.set(n);
        return this;
    }

    int documents() {
        return indices.values().stream().mapToInt(Map::size).sum();
    }

    private Answer handle(Request r) {
        if (!r.method().equals("POST") || !r.path().equals("/_bulk")) {
            return new Answer(404, "{}", Map.of());
        }
        received.add(r);
        if (stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            try {
                released.await(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.json(504, "{\"error\":\"stalled\"}");
        }
        if (!String.valueOf(r.header("Content-Type")).startsWith("application/x-ndjson")) {
            return Answer.json(406, "{\"error\":\"Content-Type must be application/x-ndjson\"}");
        }
        if (authorization != null && !authorization.equals(r.header("Authorization"))) {
            return Answer.json(401, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"missing authentication credentials\"},\"status\":401}");
        }
        Answer fault = nextAnswers.poll();
        if (fault != null) {
            return fault;
        }
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
                Integer failure = itemFailuresOnce.remove(source.path("reason").asText());
                if (failure != null) {
                    item.put("status", failure).putObject("error").put("type", "unavailable_shards_exception")
                            .put("reason", "primary shard is not active");
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

    /** The Authorization header of every bulk request, in order ("" when there was none). */
    List<String> authorizations() {
        return requests().stream().map(r -> r.header("Authorization") == null ? "" : r.header("Authorization")).toList();
    }

    /** The bulk requests so far, in the order they came (a stalled one too, before it is answered). */
    List<Request> requests() {
        return new ArrayList<>(received);
    }

    @Override
    public void close() {
        released.countDown();
        http.close();
    }
}
