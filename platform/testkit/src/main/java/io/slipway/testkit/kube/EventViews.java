package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The two API views of one stored Event, as the API server converts them (kubernetes pkg/apis/events/v1 conversion):
 * an Event written through core/v1 is readable through events.k8s.io/v1 and the other way round, with the same name,
 * uid and resourceVersion.
 */
final class EventViews {
    static final String CORE_API_VERSION = "v1";
    static final String EVENTS_GROUP = "events.k8s.io";
    static final String EVENTS_API_VERSION = EVENTS_GROUP + "/v1";

    /** core/v1 field -> events.k8s.io/v1 field; fields absent here have the same name in both. */
    private static final Map<String, String> CORE_TO_EVENTS = Map.of(
            "involvedObject", "regarding",
            "message", "note",
            "source", "deprecatedSource",
            "firstTimestamp", "deprecatedFirstTimestamp",
            "lastTimestamp", "deprecatedLastTimestamp",
            "count", "deprecatedCount",
            "reportingComponent", "reportingController");
    private static final Map<String, String> EVENTS_TO_CORE = Map.of(
            "regarding", "involvedObject",
            "note", "message",
            "deprecatedSource", "source",
            "deprecatedFirstTimestamp", "firstTimestamp",
            "deprecatedLastTimestamp", "lastTimestamp",
            "deprecatedCount", "count",
            "reportingController", "reportingComponent");

    private EventViews() {
    }

    static boolean isEvent(String group, String plural) {
        return "events".equals(plural) && (group == null || group.isEmpty() || EVENTS_GROUP.equals(group));
    }

    /** The group of the other view: "" (core) for events.k8s.io and the other way round. */
    static String otherGroup(String group) {
        return group == null || group.isEmpty() ? EVENTS_GROUP : "";
    }

    /** The same Event as the other API shows it; {@code event} is left as it is. */
    static ObjectNode otherView(ObjectNode event) {
        boolean fromCore = CORE_API_VERSION.equals(event.path("apiVersion").asText());
        Map<String, String> renames = fromCore ? CORE_TO_EVENTS : EVENTS_TO_CORE;
        ObjectNode other = event.objectNode();
        other.put("apiVersion", fromCore ? EVENTS_API_VERSION : CORE_API_VERSION);
        other.put("kind", "Event");
        var fields = event.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.equals("apiVersion") || name.equals("kind")) {
                continue;
            }
            other.set(renames.getOrDefault(name, name), field.getValue().deepCopy());
        }
        return other;
    }
}
