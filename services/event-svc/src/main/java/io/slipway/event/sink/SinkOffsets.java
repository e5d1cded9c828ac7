package io.slipway.event.sink;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.jboss.logging.Logger;

/**
 * What a sink's group commits: per partition, the offset after the records delivered or dead-lettered, but never past
 * a record still pending (batched, held for a digest, in flight), so delivery stays at-least-once.
 */
final class SinkOffsets {
    private static final Logger LOG = Logger.getLogger(SinkOffsets.class);
    private static final long COMMIT_INTERVAL_MS = 1000;

    private final String sink;
    private final Consumer<String, byte[]> consumer;
    private final Supplier<List<List<SinkEvent>>> pending;
    private final Map<TopicPartition, Long> done = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private long lastCommit;

    /** {@code pending}: the events read and not yet delivered or dead-lettered, which no commit may pass. */
    SinkOffsets(String sink, Consumer<String, byte[]> consumer, Supplier<List<List<SinkEvent>>> pending) {
        this.sink = sink;
        this.consumer = consumer;
        this.pending = pending;
    }

    /** The record is delivered, dead-lettered or not for this sink: it need not be read again. */
    void done(ConsumerRecord<String, byte[]> record) {
        done.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
    }

    /** Commits what is safe on the assigned partitions; unless {@code force}d, at most once a second. */
    void commit(boolean force) {
        if (!force && now() - lastCommit < COMMIT_INTERVAL_MS) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = safe(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
            lastCommit = now();
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved to another member, which delivers from the last commit: at-least-once
            LOG.infof("sink %s could not commit after a rebalance: %s", sink, e.getMessage());
        }
    }

    /** Before the partitions go to another member: what is safe on them is committed, then they are forgotten. */
    void revoked(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = safe(partitions);
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (RuntimeException e) {
                LOG.infof("sink %s could not commit revoked partitions: %s", sink, e.getMessage());
            }
        }
        forget(partitions);
    }

    /** Partitions gone to another member. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            done.remove(tp);
            committed.remove(tp);
        });
    }

    /**
     * Partitions assigned to this member. A new group starts at the latest (or earliest) offset; recording that start
     * now means events published while this instance is down later are still found where it left off.
     */
    void assigned(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new HashSet<>(partitions));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = known.get(tp);
            if (c == null) {
                start.put(tp, new OffsetAndMetadata(consumer.position(tp)));
            } else {
                committed.put(tp, c.offset());
            }
        }
        if (!start.isEmpty()) {
            consumer.commitSync(start);
            start.forEach((tp, o) -> committed.put(tp, o.offset()));
        }
    }

    /** The offsets below which everything is delivered or dead-lettered, where they moved since the last commit. */
    private Map<TopicPartition, OffsetAndMetadata> safe(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> lowestPending = new HashMap<>();
        for (List<SinkEvent> events : pending.get()) {
            for (SinkEvent e : events) {
                lowestPending.merge(e.partition(), e.offset(), Math::min);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = done.get(tp);
            if (next == null) {
                continue;
            }
            long safe = lowestPending.containsKey(tp) ? Math.min(next, lowestPending.get(tp)) : next;
            if (!Long.valueOf(safe).equals(committed.get(tp))) {
                out.put(tp, new OffsetAndMetadata(safe));
            }
        }
        return out;
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
