package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes Events into a {@link SimulatedCluster} the way Kubernetes components do. {@link #record} behaves like
 * client-go's legacy recorder (tools/record, core/v1, e.g. the kubelet): an identical event (same object, type,
 * reason, message) becomes {@code count + 1} and a new {@code lastTimestamp} on the same Event object. {@link #emit}
 * behaves like the new recorder (tools/events, events.k8s.io/v1, e.g. the scheduler): the first occurrence has no
 * series, the second sets {@code series.count = 2}, and so on. Like client-go, only the most recent 4096 distinct
 * events are remembered for aggregation; an older one recorded again starts a new Event.
 */
public final class EventGenerator {
    private static final int AGGREGATION_CACHE = 4096;
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SimulatedApiServer server;
    private final AtomicLong names = new AtomicLong(System.currentTimeMillis() * 1_000_000L);
    private final Map<String, ObjectNode> recent = new LinkedHashMap<>(AGGREGATION_CACHE, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ObjectNode> eldest) {
            return size() > AGGREGATION_CACHE;
        }
    };

    EventGenerator(SimulatedApiServer server) {
        this.server = server;
    }

    /** A core/v1 occurrence now, reported by the kubelet on node-1. */
    public GeneratedEvent record(InvolvedObject about, String type, String reason, String message) {
        return record(about, type, reason, message, Instant.now());
    }

    /** A core/v1 occurrence that happened at {@code at} (for events older than a watcher's start). */
    public synchronized GeneratedEvent record(InvolvedObject about, String type, String reason, String message, Instant at) {
        String key = "core/" + about.uid() + "/" + type + "/" + reason + "/" + message;
        ObjectNode event = recent.get(key);
        int count;
        if (event == null) {
            event = newEvent(EventViews.CORE_API_VERSION, about);
            event.set("involvedObject", reference(about));
            event.put("reason", reason).put("message", message).put("type", type);
            event.putObject("source").put("component", "kubelet").put("host", "node-1");
            event.put("firstTimestamp", SECONDS.format(at));
            event.put("reportingComponent", "kubelet").put("reportingInstance", "node-1");
            count = 1;
            recent.put(key, event);
        } else {
            count = event.path("count").asInt() + 1;
        }
        event.put("count", count).put("lastTimestamp", SECONDS.format(at));
        return store("", event, about, count, type, reason, at);
    }

    /** An events.k8s.io/v1 occurrence now, reported by the default scheduler. */
    public GeneratedEvent emit(InvolvedObject about, String type, String reason, String action, String note) {
        return emit(about, type, reason, action, note, Instant.now());
    }

    /** An events.k8s.io/v1 occurrence that happened at {@code at}. */
    public synchronized GeneratedEvent emit(InvolvedObject about, String type, String reason, String action, String note, Instant at) {
        String key = "events/" + about.uid() + "/" + type + "/" + reason + "/" + action + "/" + note;
        ObjectNode event = recent.get(key);
        int count;
        if (event == null) {
            event = newEvent(EventViews.EVENTS_API_VERSION, about);
            event.put("eventTime", MICROS.format(at));
            event.put("reportingController", "default-scheduler").put("reportingInstance", "default-scheduler-node-1");
            event.put("action", action).put("reason", reason).put("note", note).put("type", type);
            event.set("regarding", reference(about));
            count = 1;
            recent.put(key, event);
        } else {
            ObjectNode series = event.has("series") ? (ObjectNode) event.get("series") : event.putObject("series").put("count", 1);
            count = series.path("count").asInt() + 1;
            series.put("count", count).put("lastObservedTime", MICROS.format(at));
        }
        return store(EventViews.EVENTS_GROUP, event, about, count, type, reason, at);
    }

    private ObjectNode newEvent(String apiVersion, InvolvedObject about) {
        ObjectNode event = NODES.objectNode();
        event.put("apiVersion", apiVersion).put("kind", "Event");
        event.putObject("metadata")
                .put("name", about.name() + "." + Long.toHexString(names.incrementAndGet()))
                .put("namespace", about.namespace() == null ? "default" : about.namespace());
        return event;
    }

    private static ObjectNode reference(InvolvedObject about) {
        ObjectNode ref = NODES.objectNode();
        ref.put("apiVersion", about.apiVersion()).put("kind", about.kind());
        if (about.namespace() != null) {
            ref.put("namespace", about.namespace());
        }
        return ref.put("name", about.name()).put("uid", about.uid());
    }

    private GeneratedEvent store(String group, ObjectNode event, InvolvedObject about, int count, String type, String reason, Instant at) {
        long stored = System.nanoTime();
        long rv = server.store(group, "v1", "events", event);
        ObjectNode metadata = (ObjectNode) event.get("metadata");
        return new GeneratedEvent(metadata.get("uid").asText(), metadata.get("namespace").asText(), metadata.get("name").asText(),
                group.isEmpty() ? EventViews.CORE_API_VERSION : EventViews.EVENTS_API_VERSION, count, about, type, reason, at, rv, stored);
    }
}
