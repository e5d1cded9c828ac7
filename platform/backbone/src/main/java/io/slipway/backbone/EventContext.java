package io.slipway.backbone;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Where an event comes from: the correlation id shared by everything one request set off, the id of the event that
 * caused it (none for a request from outside) and the W3C trace context.
 */
public record EventContext(String correlationId, String causationId, String traceparent) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new chain of work, started by a request from outside; an incoming {@code traceparent} is kept when valid. */
    public static EventContext newRequest(String incomingTraceparent) {
        String trace = incomingTraceparent != null && incomingTraceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")
                ? incomingTraceparent : "00-" + hex(16) + "-" + hex(8) + "-01";
        return new EventContext(UUID.randomUUID().toString(), null, trace);
    }

    /** The context of work done because of {@code cause}: same correlation and trace, caused by that event. */
    public static EventContext causedBy(io.slipway.backbone.consume.ConsumedEvent cause) {
        return new EventContext(cause.correlationId() != null ? cause.correlationId() : cause.eventId(), cause.eventId(),
                cause.traceparent());
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
