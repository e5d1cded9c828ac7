package io.slipway.event.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;

/**
 * Reads the watch events of one event API straight into that API's Event class, in one pass. fabric8's generic
 * reading (any kind, found from apiVersion and kind) parses every message into a tree first, then converts it, and
 * copies it through an 8 KB stream buffer on the way: twice the work per event for a stream whose kind is known.
 */
final class WatchFrames {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectReader STATUS = JSON.readerFor(StatusFrame.class);

    /** One watch event: its type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) and object, or the Status of an ERROR. */
    record Frame(String type, HasMetadata object, Status status) {
    }

    private final ObjectReader reader;

    WatchFrames(EventApi api) {
        this.reader = JSON.readerFor(api == EventApi.CORE ? CoreFrame.class : EventsFrame.class);
    }

    Frame read(String text) throws JsonProcessingException {
        Raw<?> raw = reader.readValue(text);
        if ("ERROR".equals(raw.type)) {
            StatusFrame error = STATUS.readValue(text);
            return new Frame(raw.type, null, error.object);
        }
        return new Frame(raw.type, raw.object, null);
    }

    abstract static class Raw<T extends HasMetadata> {
        public String type;
        public T object;
    }

    static final class CoreFrame extends Raw<io.fabric8.kubernetes.api.model.Event> {
    }

    static final class EventsFrame extends Raw<io.fabric8.kubernetes.api.model.events.v1.Event> {
    }

    static final class StatusFrame {
        public String type;
        public Status object;
    }
}
