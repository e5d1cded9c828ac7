package io.slipway.event.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the watch events of one event API ({@code {"type": ..., "object": ...}}) in one streaming pass
 * ({@link EventJson}): the type, the object's resourceVersion, and for ADDED and MODIFIED the occurrence; the Status
 * of an ERROR. Neither fabric8's generic reading (a tree first, then the typed model, through an 8 KB buffer) nor its
 * typed model is used: both built every field of every message.
 */
final class WatchFrames {
    /**
     * One watch event: its type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR); whether it carried an object with
     * metadata, and that object's resourceVersion; the occurrence of an ADDED or MODIFIED Event; the Status of an ERROR.
     */
    record Frame(String type, boolean hasObject, String resourceVersion, Occurrence occurrence, Failure failure) {
    }

    /** The Status of a watch's ERROR event (a 410 means the resourceVersion expired). */
    record Failure(Integer code, String reason, String message) {
        boolean gone() {
            return code != null && code == 410;
        }

        @Override
        public String toString() {
            return code + " " + reason + " " + message;
        }
    }

    private final EventApi api;

    WatchFrames(EventApi api) {
        this.api = api;
    }

    /** One message; a message that is not JSON, or whose values have the wrong JSON types, is an IOException. */
    Frame read(String text) throws IOException {
        String type = null;
        EventJson.Fields object = null;
        try (JsonParser p = EventJson.JSON.createParser(text)) {
            p.nextToken();
            EventJson.expect(p, JsonToken.START_OBJECT, "a watch event object");
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> type = EventJson.text(p);
                    case "object" -> object = value == JsonToken.VALUE_NULL ? null : EventJson.object(p);
                    default -> p.skipChildren();
                }
            }
        }
        if ("ERROR".equals(type)) {
            return new Frame(type, object != null, null, null,
                    object == null ? null : new Failure(object.code, object.reason, object.message));
        }
        if (object == null || !object.hasMetadata) {
            return new Frame(type, false, null, null, null);
        }
        Occurrence occurrence = "ADDED".equals(type) || "MODIFIED".equals(type) ? Occurrence.of(object, api) : null;
        return new Frame(type, true, object.resourceVersion, occurrence, null);
    }
}
