package io.slipway.backbone;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Names of the Kafka headers that carry an event's envelope; the value itself is the Avro event. */
public final class EventHeaders {
    public static final String EVENT_ID = "eventId";
    public static final String EVENT_TYPE = "eventType";
    public static final String CORRELATION_ID = "correlationId";
    public static final String CAUSATION_ID = "causationId";
    public static final String TRACEPARENT = "traceparent";
    /**
     * On a command ({@code slipway.*.requests}): {@code Bearer <token>} of the producer, verified like a REST call's
     * ({@link io.slipway.backbone.consume.CommandCallers}). Never copied to a dead-letter topic.
     */
    public static final String AUTHORIZATION = "authorization";
    /**
     * On an event the outbox relay published: where the event stands in the relay's stream,
     * {@code <slot>@<cluster> <lsn_commit>:<lsn>}. The relay reads it back from the topic's tail when it starts, so
     * that what its slot streams again after a crash is not published twice; consumers need not look at it.
     */
    public static final String OUTBOX_POSITION = "outboxPosition";

    public static final String DLQ_REASON = "dead-letter-reason";
    public static final String DLQ_TOPIC = "dead-letter-topic";
    public static final String DLQ_PARTITION = "dead-letter-partition";
    public static final String DLQ_OFFSET = "dead-letter-offset";
    public static final String DLQ_CONSUMER_GROUP = "dead-letter-consumer-group";

    private EventHeaders() {
    }

    public static String get(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    public static String eventsTopic(String domain) {
        return "slipway." + domain + ".events";
    }

    public static String deadLetterTopic(String topic) {
        return topic + ".dlq";
    }
}
