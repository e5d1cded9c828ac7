package io.slipway.event.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SinkOffsetsTest {
    private static final String TOPIC = "slipway.kube.events";
    private final TopicPartition p0 = new TopicPartition(TOPIC, 0);
    private final TopicPartition p1 = new TopicPartition(TOPIC, 1);
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final List<SinkEvent> pending = new ArrayList<>();
    private final SinkOffsets offsets = new SinkOffsets("chat", consumer, () -> List.of(pending));

    @BeforeEach
    void assign() {
        consumer.assign(List.of(p0, p1));
        consumer.updateBeginningOffsets(Map.of(p0, 3L, p1, 0L));
        consumer.commitSync(Map.of(p1, new OffsetAndMetadata(10)));
    }

    private static ConsumerRecord<String, byte[]> record(int partition, long offset) {
        return new ConsumerRecord<>(TOPIC, partition, offset, "uid", new byte[0]);
    }

    private long committed(TopicPartition tp) {
        OffsetAndMetadata c = consumer.committed(Set.of(tp)).get(tp);
        return c == null ? -1 : c.offset();
    }

    @Test
    void aNewGroupsStartIsCommittedAtOnceAndAKnownCommitIsKept() {
        offsets.assigned(List.of(p0, p1));

        assertThat(committed(p0)).as("where the new group starts").isEqualTo(3);
        assertThat(committed(p1)).isEqualTo(10);
    }

    @Test
    void noCommitPassesARecordStillPending() {
        offsets.assigned(List.of(p0, p1));
        for (long o = 3; o <= 7; o++) {
            if (o != 5) {
                offsets.done(record(0, o));
            }
        }
        pending.add(new SinkEvent(null, record(0, 5)));

        offsets.commit(true);
        assertThat(committed(p0)).isEqualTo(5);

        pending.clear();
        offsets.done(record(0, 5));
        offsets.commit(false);
        assertThat(committed(p0)).as("unforced, within a second of the last commit").isEqualTo(5);
        offsets.commit(true);
        assertThat(committed(p0)).isEqualTo(8);
        assertThat(committed(p1)).as("nothing done there").isEqualTo(10);
    }

    @Test
    void revokedPartitionsAreCommittedThenForgotten() {
        offsets.assigned(List.of(p0, p1));
        offsets.done(record(1, 10));
        offsets.done(record(1, 11));

        offsets.revoked(List.of(p1));
        assertThat(committed(p1)).isEqualTo(12);

        consumer.commitSync(Map.of(p1, new OffsetAndMetadata(20))); // its new owner moved on
        offsets.commit(true);
        assertThat(committed(p1)).as("what was done here is forgotten, not committed over the new owner's").isEqualTo(20);
    }
}
