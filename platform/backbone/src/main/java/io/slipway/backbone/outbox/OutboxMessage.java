package io.slipway.backbone.outbox;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One event as the outbox writes it into the write-ahead log: the content of a transactional logical decoding
 * message ({@code pg_logical_emit_message(true, prefix(domain), encode())}) that the relay reads back with
 * {@link #decode}. The framing is this project's own, versioned by its first byte; DESIGN.md ("Message framing")
 * is its specification, and every version ever written must stay decodable.
 *
 * @param payload the Avro event, single-object encoded ({@link io.slipway.schemas.EventCodec})
 */
public record OutboxMessage(UUID eventId, String eventType, String aggregateId, String correlationId, String causationId,
                            String traceparent, byte[] payload) {

    /** The framing this code writes; {@link #decode} reads it and every earlier one. */
    public static final byte VERSION = 1;

    /**
     * Emits one message in the current transaction (parameters: the prefix, the framed bytes). Transactional: it is
     * decoded only if the transaction commits, in commit order. The casts pick the bytea variant of the function and
     * keep its {@code pg_lsn} result out of clients that have no decoder for that type.
     */
    public static final String EMIT_SQL = "select cast(pg_logical_emit_message(true, cast(? as text), cast(? as bytea)) as text)";

    private static final String PREFIX = "slipway.outbox.";

    public OutboxMessage {
        if (eventId == null || eventType == null || aggregateId == null || payload == null) {
            throw new IllegalArgumentException("an outbox message needs an event id, event type, aggregate id and payload");
        }
    }

    /**
     * The message prefix of a domain's events. Messages are decoded only in the database they were written in, so the
     * domain in the prefix matters only when several domains share a database (tests): each relay takes its own.
     */
    public static String prefix(String domain) {
        return PREFIX + domain;
    }

    /** The Debezium {@code message.prefix.include.list} entry (a regular expression) matching exactly {@link #prefix}. */
    public static String prefixPattern(String domain) {
        return Pattern.quote(prefix(domain));
    }

    /**
     * Version 1: the version byte; the event id (16 bytes, big-endian most then least significant half); event type,
     * aggregate id, correlation id, causation id, traceparent, each as an unsigned LEB128 varint n (0 = absent, else
     * n - 1 bytes of UTF-8 follow); then the payload up to the end.
     */
    public byte[] encode() {
        byte[][] strings = {utf8(eventType), utf8(aggregateId), utf8(correlationId), utf8(causationId), utf8(traceparent)};
        int size = 1 + 16 + payload.length;
        for (byte[] s : strings) {
            size += s == null ? 1 : varintSize(s.length + 1) + s.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION);
        out.putLong(eventId.getMostSignificantBits());
        out.putLong(eventId.getLeastSignificantBits());
        for (byte[] s : strings) {
            if (s == null) {
                out.put((byte) 0);
            } else {
                putVarint(out, s.length + 1);
                out.put(s);
            }
        }
        out.put(payload);
        return out.array();
    }

    /** Reads a message written by {@link #encode} of this or an earlier version; the buffer is not consumed. */
    public static OutboxMessage decode(ByteBuffer content) {
        ByteBuffer in = content.duplicate();
        if (!in.hasRemaining()) {
            throw new MalformedOutboxMessage("empty message");
        }
        byte version = in.get();
        if (version != 1) {
            throw new MalformedOutboxMessage("framing version " + (version & 0xff) + " is unknown to this relay (it reads up to "
                    + VERSION + "); run the relay on an instance as new as the newest writer");
        }
        try {
            UUID id = new UUID(in.getLong(), in.getLong());
            String type = getString(in);
            String aggregate = getString(in);
            String correlation = getString(in);
            String causation = getString(in);
            String trace = getString(in);
            byte[] payload = new byte[in.remaining()];
            in.get(payload);
            if (type == null || aggregate == null) {
                throw new MalformedOutboxMessage("event " + id + " has no " + (type == null ? "event type" : "aggregate id"));
            }
            return new OutboxMessage(id, type, aggregate, correlation, causation, trace, payload);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedOutboxMessage("truncated or corrupt message of " + content.remaining() + " bytes: " + e);
        }
    }

    /** A message under the outbox's prefix that this code cannot read; relaying stops rather than skip an event. */
    public static final class MalformedOutboxMessage extends RuntimeException {
        public MalformedOutboxMessage(String why) {
            super("outbox message not readable: " + why);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String getString(ByteBuffer in) {
        int n = getVarint(in);
        if (n == 0) {
            return null;
        }
        int length = n - 1;
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int varintSize(int value) {
        int size = 1;
        while ((value >>>= 7) != 0) {
            size++;
        }
        return size;
    }

    private static void putVarint(ByteBuffer out, int value) {
        while ((value & ~0x7f) != 0) {
            out.put((byte) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    private static int getVarint(ByteBuffer in) {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            byte b = in.get();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    break;
                }
                return value;
            }
        }
        throw new IllegalArgumentException("bad length");
    }
}
