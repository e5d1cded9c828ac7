package io.slipway.cli.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One Kafka record as one JSON line: where it is, its key, its envelope headers and the decoded event. A value that
 * does not decode becomes an error note with the raw bytes in base64; rendering never fails.
 */
public final class RecordRenderer {
    /** The envelope headers, in this order; any other header follows under its own name. */
    static final List<String> ENVELOPE = List.of("eventId", "eventType", "correlationId", "causationId", "traceparent");

    private final ObjectMapper mapper = new ObjectMapper();
    private final EventCodec codec;

    public RecordRenderer(EventCodec codec) {
        this.codec = codec;
    }

    public ObjectNode render(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode line = mapper.createObjectNode();
        line.put("topic", record.topic());
        line.put("partition", record.partition());
        line.put("offset", record.offset());
        line.put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
        line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        ObjectNode headers = line.putObject("headers");
        for (String name : ENVELOPE) {
            Header h = record.headers().lastHeader(name);
            if (h != null) {
                headers.put(name, text(h.value()));
            }
        }
        for (Header h : record.headers()) {
            if (!ENVELOPE.contains(h.key())) {
                headers.put(h.key(), text(h.value()));
            }
        }
        decode(record.value(), line);
        return line;
    }

    private void decode(byte[] value, ObjectNode line) {
        if (value == null) {
            line.putNull("event");
            line.put("error", "the record has no value (a tombstone)");
            return;
        }
        String json;
        try {
            json = codec.toJson(value);
        } catch (RuntimeException e) {
            line.put("error", "cannot decode the value: " + e.getMessage());
            line.put("valueBase64", Base64.getEncoder().encodeToString(value));
            return;
        }
        try {
            JsonNode event = mapper.readTree(json);
            line.set("event", event);
        } catch (JsonProcessingException e) {
            // Avro's JSON rendering is not strict JSON for every type (bytes, NaN); keep it as text then
            line.put("event", json);
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    public String toLine(ConsumerRecord<byte[], byte[]> record) {
        return render(record).toString();
    }
}
