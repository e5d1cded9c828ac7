package io.slipway.event.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads Event objects of either API from the API server's JSON in one streaming pass, keeping only what an
 * {@link Occurrence} needs and skipping everything else (managed fields, labels, unknown fields of newer API
 * versions) without building anything for it. The typed model of the Kubernetes client read every field of every
 * message into objects that were dropped at once; that was most of a stream's CPU per event.
 *
 * <p>Strict where the typed model was: a value of the wrong JSON type (an object where a string belongs, text where a
 * count belongs) makes the message unreadable, as it made the typed model fail; scalars are coerced as Jackson
 * coerces them ({@code "3"} is a count, a number is a string).
 */
final class EventJson {
    static final JsonFactory JSON = JsonFactory.builder().build();

    private EventJson() {
    }

    /**
     * What one object in an event stream holds of interest: the fields of both Event APIs by their JSON names (which
     * are used depends on the API the stream reads), and those of a Status ({@code code}, {@code reason},
     * {@code message}), which is what a watch's ERROR event carries.
     */
    static final class Fields {
        boolean hasMetadata;
        String uid;
        String namespace;
        String resourceVersion;
        String creationTimestamp;
        String type;
        String reason;
        String message;
        String note;
        Integer count;
        Integer deprecatedCount;
        Integer seriesCount;
        Integer code;
        String firstTimestamp;
        String lastTimestamp;
        String deprecatedFirstTimestamp;
        String deprecatedLastTimestamp;
        String eventTime;
        String seriesLastObservedTime;
        String sourceComponent;
        String sourceHost;
        String deprecatedSourceComponent;
        String deprecatedSourceHost;
        String reportingComponent;
        String reportingController;
        String reportingInstance;
        Occurrence.Involved involvedObject;
        Occurrence.Involved regarding;
    }

    /** Reads the object the parser's current token starts ({@code START_OBJECT}); leaves it at the object's end. */
    static Fields object(JsonParser p) throws IOException {
        expect(p, JsonToken.START_OBJECT, "an object");
        Fields f = new Fields();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            p.nextToken();
            switch (name) {
                case "metadata" -> metadata(p, f);
                case "type" -> f.type = text(p);
                case "reason" -> f.reason = text(p);
                case "message" -> f.message = text(p);
                case "note" -> f.note = text(p);
                case "count" -> f.count = integer(p);
                case "deprecatedCount" -> f.deprecatedCount = integer(p);
                case "code" -> f.code = integer(p);
                case "firstTimestamp" -> f.firstTimestamp = text(p);
                case "lastTimestamp" -> f.lastTimestamp = text(p);
                case "deprecatedFirstTimestamp" -> f.deprecatedFirstTimestamp = text(p);
                case "deprecatedLastTimestamp" -> f.deprecatedLastTimestamp = text(p);
                case "eventTime" -> f.eventTime = text(p);
                case "series" -> series(p, f);
                case "source" -> source(p, f, false);
                case "deprecatedSource" -> source(p, f, true);
                case "reportingComponent" -> f.reportingComponent = text(p);
                case "reportingController" -> f.reportingController = text(p);
                case "reportingInstance" -> f.reportingInstance = text(p);
                case "involvedObject" -> f.involvedObject = reference(p);
                case "regarding" -> f.regarding = reference(p);
                default -> p.skipChildren();
            }
        }
        return f;
    }

    /** One Event from its JSON text (a test's or a tool's way in; streams read objects in place). */
    static Fields object(String json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return object(p);
        }
    }

    private static void metadata(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        expect(p, JsonToken.START_OBJECT, "an object for 'metadata'");
        f.hasMetadata = true;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            p.nextToken();
            switch (name) {
                case "uid" -> f.uid = text(p);
                case "namespace" -> f.namespace = text(p);
                case "resourceVersion" -> f.resourceVersion = text(p);
                case "creationTimestamp" -> f.creationTimestamp = text(p);
                default -> p.skipChildren();
            }
        }
    }

    private static void series(JsonParser p, Fields f) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        expect(p, JsonToken.START_OBJECT, "an object for 'series'");
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            p.nextToken();
            switch (name) {
                case "count" -> f.seriesCount = integer(p);
                case "lastObservedTime" -> f.seriesLastObservedTime = text(p);
                default -> p.skipChildren();
            }
        }
    }

    private static void source(JsonParser p, Fields f, boolean deprecated) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        expect(p, JsonToken.START_OBJECT, deprecated ? "an object for 'deprecatedSource'" : "an object for 'source'");
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            p.nextToken();
            switch (name) {
                case "component" -> {
                    if (deprecated) {
                        f.deprecatedSourceComponent = text(p);
                    } else {
                        f.sourceComponent = text(p);
                    }
                }
                case "host" -> {
                    if (deprecated) {
                        f.deprecatedSourceHost = text(p);
                    } else {
                        f.sourceHost = text(p);
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private static Occurrence.Involved reference(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(p, JsonToken.START_OBJECT, "an object reference for '" + p.currentName() + "'");
        String apiVersion = null;
        String kind = null;
        String namespace = null;
        String name = null;
        String uid = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            p.nextToken();
            switch (field) {
                case "apiVersion" -> apiVersion = text(p);
                case "kind" -> kind = text(p);
                case "namespace" -> namespace = text(p);
                case "name" -> name = text(p);
                case "uid" -> uid = text(p);
                default -> p.skipChildren();
            }
        }
        return new Occurrence.Involved(apiVersion, kind, namespace, name, uid);
    }

    /** A string, null, or a scalar as its text (as Jackson reads a number into a String); never an object or array. */
    static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != null && t.isScalarValue()) {
            return p.getText();
        }
        throw new JsonParseException(p, "expected a string for '" + p.currentName() + "', found " + t);
    }

    /** An integer, null, or its decimal text; a fraction is truncated (as Jackson does); anything else is an error. */
    private static Integer integer(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case VALUE_NUMBER_INT -> {
                return p.getIntValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_NUMBER_FLOAT -> {
                return (int) p.getDoubleValue();
            }
            case VALUE_STRING -> {
                String s = p.getText().trim();
                if (s.isEmpty()) {
                    return null;
                }
                try {
                    return Integer.valueOf(s);
                } catch (NumberFormatException e) {
                    throw new JsonParseException(p, "expected an integer for '" + p.currentName() + "', found \"" + s + "\"");
                }
            }
            default -> throw new JsonParseException(p, "expected an integer for '" + p.currentName() + "', found " + t);
        }
    }

    /** Fails unless the current token is {@code token}; {@code what} names the value expected, for the error. */
    static void expect(JsonParser p, JsonToken token, String what) throws JsonParseException {
        if (p.currentToken() != token) {
            throw new JsonParseException(p, "expected " + what + " (" + token + "), found " + p.currentToken());
        }
    }
}
