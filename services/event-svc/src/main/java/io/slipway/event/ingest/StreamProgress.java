package io.slipway.event.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * How far one stream has safely got: the resourceVersion of the newest item such that it and every item read before
 * it has been handled (acknowledged by Kafka, or deliberately skipped). Items complete out of order (Kafka
 * partitions acknowledge independently), so a later item being acknowledged never moves the checkpoint past an
 * earlier one still in flight.
 */
final class StreamProgress {
    private final ConcurrentSkipListSet<Long> pending = new ConcurrentSkipListSet<>();
    private final ConcurrentSkipListMap<Long, String> resumePoints = new ConcurrentSkipListMap<>();
    private long nextSeq;
    private String checkpoint;

    StreamProgress(String checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** Registers the next item read, in reading order; returns its sequence number. */
    synchronized long read(String resumeAt) {
        long seq = nextSeq++;
        pending.add(seq);
        if (resumeAt != null) {
            resumePoints.put(seq, resumeAt);
        }
        return seq;
    }

    void handled(long seq) {
        pending.remove(seq);
    }

    /** The resourceVersion to resume from now (null before the first list completed); older resume points are forgotten. */
    synchronized String checkpoint() {
        Long oldestPending = pending.isEmpty() ? null : pending.ceiling(Long.MIN_VALUE);
        Map.Entry<Long, String> safe = oldestPending == null ? resumePoints.lastEntry() : resumePoints.lowerEntry(oldestPending);
        if (safe != null) {
            checkpoint = safe.getValue();
            resumePoints.headMap(safe.getKey(), true).clear();
        }
        return checkpoint;
    }

    int pendingCount() {
        return pending.size();
    }
}
