package io.slipway.event.sink.elasticsearch;

import io.slipway.outbound.OutboundPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.event.route.EventView;
import io.slipway.event.route.Target;
import io.slipway.event.sink.HttpSend;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.SinkEvent;
import io.slipway.event.sink.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Elasticsearch or OpenSearch through the bulk API ({@code POST /_bulk}, NDJSON). Each event is indexed into the index
 * of its day ({@code <index>-yyyy.MM.dd} of its last occurrence, UTC: a retry or a replay days later lands in the same
 * index) under the id {@code <event uid>-<count>}, so a retry overwrites instead of duplicating. The bulk answer is
 * read item by item: an item with 429 or 5xx is retried alone, an item refused otherwise (mapping error) goes to the
 * dead letters alone, the others are delivered. Hosts are tried in turn when one cannot be reached.
 */
public final class ElasticsearchTransport implements Transport {
    private final Target.Elasticsearch target;
    private final HttpSend http;
    private final DateTimeFormatter day;
    private int host;

    public ElasticsearchTransport(Target.Elasticsearch target, Duration timeout, OutboundPolicy outbound, String receiver) {
        this.target = target;
        this.http = new HttpSend(timeout, outbound, receiver);
        this.day = DateTimeFormatter.ofPattern(target.dateFormat()).withZone(ZoneOffset.UTC);
    }

    /** The index an event belongs in. */
    public String indexOf(SinkEvent e) {
        Instant t = e.event().getLastSeen() != null ? e.event().getLastSeen() : Instant.ofEpochMilli(e.record().timestamp());
        return target.index() + "-" + day.format(t);
    }

    @Override
    public List<Outcome> send(Notification n) throws Exception {
        List<SinkEvent> events = n.events();
        String base = target.hosts().get(host % target.hosts().size());
        HttpSend.Response r;
        try {
            r = http.send("POST", URI.create(base + "/_bulk"), headers(), ndjson(events));
        } catch (IOException e) {
            host++;
            throw e;
        }
        if (!r.ok()) {
            return List.of(HttpSend.outcome(r));
        }
        JsonNode json = r.json();
        JsonNode items = json == null ? null : json.get("items");
        if (items == null || !items.isArray() || items.size() != events.size()) {
            return List.of(Outcome.retry("bulk answer without one item per document: " + r.excerpt()));
        }
        List<Outcome> outcomes = new ArrayList<>(events.size());
        for (JsonNode item : items) {
            Iterator<JsonNode> op = item.elements();
            JsonNode result = op.hasNext() ? op.next() : item;
            int status = result.path("status").asInt(0);
            JsonNode error = result.get("error");
            String why = error == null ? "status " + status
                    : "status " + status + " " + error.path("type").asText("") + ": " + error.path("reason").asText("");
            if (status / 100 == 2 || status == 409) {
                outcomes.add(Outcome.DELIVERED);
            } else if (status == 429 || status >= 500 || status == 0) {
                outcomes.add(Outcome.retry("bulk item " + why));
            } else {
                outcomes.add(Outcome.rejected("bulk item " + why));
            }
        }
        return outcomes;
    }

    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/x-ndjson");
        if (target.apiKey() != null) {
            h.put("Authorization", "ApiKey " + target.apiKey());
        } else if (target.username() != null) {
            String basic = target.username() + ":" + (target.password() == null ? "" : target.password());
            h.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        return h;
    }

    private byte[] ndjson(List<SinkEvent> events) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SinkEvent e : events) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("_index", indexOf(e));
            meta.put("_id", e.occurrenceId());
            out.write(HttpSend.json(Map.of("index", meta)));
            out.write('\n');
            out.write(HttpSend.json(document(e)));
            out.write('\n');
        }
        return out.toByteArray();
    }

    private Object document(SinkEvent e) {
        if (target.layout() != null) {
            return target.layout().render(e.view());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@timestamp", e.event().getLastSeen() == null ? null : e.event().getLastSeen().toString());
        doc.putAll(EventView.document(e.event()));
        return doc;
    }

    @Override
    public void close() {
        http.close();
    }
}
