package io.slipway.backbone.consume;

import io.slipway.backbone.EventHeaders;
import io.slipway.schemas.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** An event read from a topic: its envelope (headers), its position and its Avro value. */
public record ConsumedEvent(String topic, int partition, long offset, String key, String eventId, String eventType,
                            String correlationId, String causationId, String traceparent, byte[] value) {
    private static final EventCodec CODEC = EventCodec.released();

    /** The envelope and value of {@code r}; nothing is decoded yet. */
    public static ConsumedEvent of(ConsumerRecord<String, byte[]> r) {
        var h = r.headers();
        return new ConsumedEvent(r.topic(), r.partition(), r.offset(), r.key(), EventHeaders.get(h, EventHeaders.EVENT_ID),
                EventHeaders.get(h, EventHeaders.EVENT_TYPE), EventHeaders.get(h, EventHeaders.CORRELATION_ID),
                EventHeaders.get(h, EventHeaders.CAUSATION_ID), EventHeaders.get(h, EventHeaders.TRACEPARENT), r.value());
    }

    /** The value as a generated event class; an undecodable value throws {@link io.slipway.schemas.EventDecodingException}. */
    public <T extends SpecificRecord> T as(Class<T> type) {
        return CODEC.decode(value, type);
    }

    public String position() {
        return topic + "/" + partition + "@" + offset;
    }
}
