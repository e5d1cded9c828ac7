package io.slipway.backbone.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The outbox's message framing (DESIGN.md, "Message framing"): what the relay reads back is what was written. */
class OutboxMessageTest {
    static final UUID ID = UUID.fromString("4bf92f35-77b3-4da6-a3ce-929d0e0e4736");
    static final byte[] PAYLOAD = {(byte) 0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 42};

    @Test
    void everyFieldSurvivesTheRoundTripIncludingAbsentOnesAndNonAsciiText() {
        OutboxMessage full = new OutboxMessage(ID, "BuildRequested", "bü-1", "corr", "cause",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", PAYLOAD);
        OutboxMessage sparse = new OutboxMessage(ID, "BuildRequested", "b-1", null, null, null, PAYLOAD);

        for (OutboxMessage m : new OutboxMessage[] {full, sparse}) {
            OutboxMessage back = OutboxMessage.decode(ByteBuffer.wrap(m.encode()));
            assertThat(back).usingRecursiveComparison().isEqualTo(m);
        }
        assertThat(OutboxMessage.decode(ByteBuffer.wrap(full.encode())).aggregateId()).isEqualTo("bü-1");
    }

    @Test
    void theVersionComesFirstAndTheEnvelopeCostsLittleBeyondItsText() {
        OutboxMessage m = new OutboxMessage(ID, "BuildRequested", "b-1", null, null, null, PAYLOAD);
        byte[] bytes = m.encode();
        assertThat(bytes[0]).isEqualTo(OutboxMessage.VERSION).isEqualTo((byte) 1);
        // version, id, five lengths (three of them "absent"), the two strings, the payload
        assertThat(bytes).hasSize(1 + 16 + 5 + "BuildRequested".length() + "b-1".length() + PAYLOAD.length);
        assertThat(Arrays.copyOfRange(bytes, bytes.length - PAYLOAD.length, bytes.length)).isEqualTo(PAYLOAD);
    }

    @Test
    void longStringsUseMultiByteLengths() {
        String longId = "x".repeat(300);
        OutboxMessage m = new OutboxMessage(ID, "T", longId, null, null, null, PAYLOAD);
        assertThat(OutboxMessage.decode(ByteBuffer.wrap(m.encode())).aggregateId()).isEqualTo(longId);
    }

    @Test
    void aNewerVersionOrATruncatedMessageIsRefusedRatherThanMisread() {
        byte[] bytes = new OutboxMessage(ID, "BuildRequested", "b-1", "c", null, null, PAYLOAD).encode();
        byte[] newer = bytes.clone();
        newer[0] = 2;
        assertThatThrownBy(() -> OutboxMessage.decode(ByteBuffer.wrap(newer)))
                .isInstanceOf(OutboxMessage.MalformedOutboxMessage.class).hasMessageContaining("framing version 2");
        assertThatThrownBy(() -> OutboxMessage.decode(ByteBuffer.wrap(Arrays.copyOf(bytes, 20))))
                .isInstanceOf(OutboxMessage.MalformedOutboxMessage.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> OutboxMessage.decode(ByteBuffer.allocate(0)))
                .isInstanceOf(OutboxMessage.MalformedOutboxMessage.class);
    }

    @Test
    void thePrefixPatternMatchesItsOwnDomainOnly() {
        assertThat(OutboxMessage.prefix("build")).isEqualTo("slipway.outbox.build");
        assertThat("slipway.outbox.build").matches(OutboxMessage.prefixPattern("build"));
        assertThat("slipway-outbox-build").doesNotMatch(OutboxMessage.prefixPattern("build"));
        assertThat("slipway.outbox.builds").doesNotMatch(OutboxMessage.prefixPattern("build"));
    }
}
