package io.slipway.backbone.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Positions in a slot's stream: their order, where they come from in a Debezium offset, and their header. */
class OutboxPositionTest {
    static final String STREAM = OutboxPosition.stream("slipway_build_outbox", "7312345678901234567");

    @Test
    void positionsCompareByThePreviousCommitFirstThenByTheirOwnLsn() {
        // a transaction that began earlier (lower own LSN) but committed later comes after
        OutboxPosition earlyCommit = new OutboxPosition(0x100, 0x150);
        OutboxPosition laterCommitEarlierBegin = new OutboxPosition(0x200, 0x120);
        assertThat(earlyCommit).isLessThan(laterCommitEarlierBegin);
        assertThat(new OutboxPosition(0x200, 0x120)).isLessThan(new OutboxPosition(0x200, 0x130));
        // LSNs are unsigned
        assertThat(new OutboxPosition(0x7FFF_FFFF_FFFF_FFFFL, 0)).isLessThan(new OutboxPosition(0x8000_0000_0000_0000L, 0));
    }

    @Test
    void aRecordStreamedBeforeAnyCommitStandsAtItsOwnLsn() {
        assertThat(OutboxPosition.of(Map.of("lsn", 0x500L, "lsn_commit", 0x400L))).isEqualTo(new OutboxPosition(0x400, 0x500));
        OutboxPosition first = OutboxPosition.of(Map.of("lsn", 0x500L));
        assertThat(first).isEqualTo(new OutboxPosition(0x500, 0x500));
        assertThat(first).as("after any commit of an earlier slot (<= the slot's start <= the record's LSN)")
                .isGreaterThan(new OutboxPosition(0x4FF, 0x600));
        assertThat(first).as("before the next transaction, which follows its commit (> its LSN)")
                .isLessThan(new OutboxPosition(0x580, 0x501));
    }

    @Test
    void theHeaderNamesTheStreamAndThePositionInPostgresNotation() {
        OutboxPosition p = new OutboxPosition(0x1_016B_3748L, 0x1_016B_37A0L);
        byte[] header = p.header(STREAM);
        assertThat(new String(header, StandardCharsets.US_ASCII))
                .isEqualTo("slipway_build_outbox@7312345678901234567 1/16B3748:1/16B37A0");
        assertThat(OutboxPosition.parse(header)).isEqualTo(new OutboxPosition.Stamp(STREAM, p));
        assertThat(OutboxPosition.slotOf(STREAM)).isEqualTo("slipway_build_outbox");
    }

    @Test
    void aHeaderItDidNotWriteIsNone() {
        for (String text : new String[] {"", "garbage", "0/1:0/2", "s 0/1", "s 0/1:", "s x/1:0/2", "s 0/-1:0/2", "s 100000000/0:0/1"}) {
            assertThat(OutboxPosition.parse(text.getBytes(StandardCharsets.US_ASCII))).as(text).isNull();
        }
        assertThat(OutboxPosition.parse(null)).isNull();
    }
}
