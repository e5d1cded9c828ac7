package io.slipway.backbone.relay;

import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.SourceInfo;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where a record stands in the stream the relay reads from its slot, in that stream's order: Debezium's
 * {@code lsn_commit} (the end of the last transaction's commit streamed before the record) and the record's own
 * {@code lsn}, compared in that order (Debezium's {@code sequence} source field is the same pair). pgoutput streams
 * whole transactions in commit order, so a record's own LSN alone is not monotonic (a transaction that began earlier
 * may commit later); the pair is (see DESIGN.md, "Exactly once on the topic").
 *
 * <p>Each published record carries it as header {@code outboxPosition}, {@code <stream> <lsn_commit>:<lsn>} with the
 * LSNs in PostgreSQL's notation, so that a starting relay can tell from the topic itself how far publication got.
 * The stream ({@link #stream}) names the slot and the PostgreSQL cluster: positions compare only within one.
 */
record OutboxPosition(long lastCommitLsn, long lsn) implements Comparable<OutboxPosition> {

    /** The header that carries a published record's position. */
    static final String HEADER = io.slipway.backbone.EventHeaders.OUTBOX_POSITION;

    /** A position as a header holds it: the stream it belongs to and the position in that stream. */
    record Stamp(String stream, OutboxPosition position) {
    }

    /**
     * The position of a streamed record, from its Debezium source offset. Until the connector has streamed a commit
     * (the first transaction a new slot streams, before any offset is stored) there is no {@code lsn_commit}; the
     * record's own LSN stands in for it. That keeps the order: the first transaction's records come after any commit
     * an earlier slot of the same name streamed (the slot was created after it), and before the first transaction's
     * own commit, which is what the next transaction's records carry. A restart before that commit is stored streams
     * the transaction again without {@code lsn_commit}, so its records get the same positions again.
     */
    static OutboxPosition of(Map<String, ?> sourceOffset) {
        Object lsn = sourceOffset.get(SourceInfo.LSN_KEY);
        if (!(lsn instanceof Number n)) {
            throw new IllegalStateException("a streamed record without an LSN in its source offset " + sourceOffset);
        }
        Object commit = sourceOffset.get(PostgresOffsetContext.LAST_COMMIT_LSN_KEY);
        return new OutboxPosition(commit instanceof Number c ? c.longValue() : n.longValue(), n.longValue());
    }

    /**
     * The stream positions of {@code slot} compare in: the slot's name and the PostgreSQL cluster's system identifier
     * ({@code pg_control_system()}), so that a database restored into another cluster, whose WAL starts again at a
     * lower LSN, is not taken for one whose events are all published already.
     */
    static String stream(String slot, String systemIdentifier) {
        return slot + "@" + systemIdentifier;
    }

    /** The slot a stream belongs to. */
    static String slotOf(String stream) {
        int at = stream.lastIndexOf('@');
        return at < 0 ? stream : stream.substring(0, at);
    }

    /** The header's value, for a record of {@code stream}. */
    byte[] header(String stream) {
        return (stream + " " + this).getBytes(StandardCharsets.US_ASCII);
    }

    /** A header's value; null when it is none this class wrote. */
    static Stamp parse(byte[] header) {
        if (header == null) {
            return null;
        }
        String text = new String(header, StandardCharsets.US_ASCII);
        int space = text.lastIndexOf(' ');
        int colon = text.lastIndexOf(':');
        if (space <= 0 || colon < space) {
            return null;
        }
        try {
            return new Stamp(text.substring(0, space),
                    new OutboxPosition(lsn(text.substring(space + 1, colon)), lsn(text.substring(colon + 1))));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static OutboxPosition max(OutboxPosition a, OutboxPosition b) {
        return a == null ? b : b == null || a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(OutboxPosition o) {
        int byCommit = Long.compareUnsigned(lastCommitLsn, o.lastCommitLsn);
        return byCommit != 0 ? byCommit : Long.compareUnsigned(lsn, o.lsn);
    }

    @Override
    public String toString() {
        return text(lastCommitLsn) + ":" + text(lsn);
    }

    /** PostgreSQL's notation: the high and low 32 bits in hexadecimal, {@code 0/16B3748}. */
    static String text(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }

    private static long lsn(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new NumberFormatException(text);
        }
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        if (high > 0xFFFF_FFFFL || low > 0xFFFF_FFFFL || high < 0 || low < 0) {
            throw new NumberFormatException(text);
        }
        return high << 32 | low;
    }
}
