package io.slipway.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The console's pages and what each reads from the API. A page's live part ({@code live/<name>.html}) is rendered from
 * {@link #load}'s answer at first paint and again for every change, pushed over Server-Sent Events.
 */
enum Pages {
    BUILDS("builds", "Builds"),
    IMAGES("images", "Images"),
    CLUSTERS("clusters", "Clusters"),
    POOLS("pools", "Infra pools"),
    WORKLOADS("workloads", "Workloads"),
    EVENTS("events", "Events & sinks"),
    LAG("lag", "Consumer lag");

    final String path;
    final String title;

    Pages(String path, String title) {
        this.path = path;
        this.title = title;
    }

    static Optional<Pages> named(String path) {
        for (Pages p : values()) {
            if (p.path.equals(path)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** What the live part shows: the API's answers as plain maps and lists, and each refused call's reason. */
    Map<String, Object> load(Upstream api, String token) {
        Map<String, Object> data = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        switch (this) {
            case BUILDS -> data.put("builds", read(api.get("/api/v1/builds?limit=50", token), "build-svc", errors));
            case IMAGES -> data.put("images", read(api.get("/api/v1/images", token), "build-svc", errors));
            case CLUSTERS -> data.put("clusters", read(api.get("/api/v1/deploy/clusters", token), "deploy-svc", errors));
            case POOLS -> data.put("pools", read(api.get("/api/v1/infra/pools", token), "infra-svc", errors));
            case WORKLOADS -> data.put("kinds", read(api.get("/api/v1/workloads", token), "workload-svc", errors));
            case EVENTS -> {
                Upstream.Answer sinks = api.get("/api/v1/sinks", token);
                data.put("sinks", read(sinks, "event-svc", errors, "sinks"));
                data.put("topic", sinks.ok() && sinks.json() != null ? sinks.json().path("topic").asText("") : "");
                data.put("routesError", sinks.ok() && sinks.json() != null ? sinks.json().path("routesError").asText("") : "");
            }
            case LAG -> data.put("lags", consumerLag(api, token, errors));
        }
        data.put("errors", errors);
        return data;
    }

    /** One row per topic and consumer group, from every service's own {@code /api/v1/backbone}. */
    private static List<Map<String, Object>> consumerLag(Upstream api, String token, List<String> errors) {
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        for (String service : api.services()) {
            Upstream.Answer answer = api.getFrom(service, "/api/v1/backbone", token);
            if (!answer.ok() || answer.json() == null) {
                errors.add(service + " answered " + answer.status() + ": " + answer.error());
                continue;
            }
            JsonNode lag = answer.json().path("consumerLag");
            JsonNode topics = answer.json().path("topics");
            lag.fieldNames().forEachRemaining(group -> {
                List<String> groupTopics = new ArrayList<>();
                topics.path(group).forEach(t -> groupTopics.add(t.asText()));
                String topic = groupTopics.isEmpty() ? "?" : String.join(", ", groupTopics);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("topic", topic);
                row.put("group", group);
                row.put("service", service);
                row.put("lag", lag.get(group).asLong());
                rows.put(topic + "\u0000" + group, row);
            });
        }
        return new ArrayList<>(rows.values());
    }

    private static Object read(Upstream.Answer answer, String service, List<String> errors) {
        return read(answer, service, errors, null);
    }

    /** The answer (or its {@code field}) as maps and lists, or an empty list and the reason in {@code errors}. */
    private static Object read(Upstream.Answer answer, String service, List<String> errors, String field) {
        if (!answer.ok() || answer.json() == null) {
            errors.add(service + " answered " + answer.status() + ": " + answer.error());
            return List.of();
        }
        JsonNode node = field == null ? answer.json() : answer.json().path(field);
        return node.isMissingNode() ? List.of() : Upstream.JSON.convertValue(node, Object.class);
    }
}
