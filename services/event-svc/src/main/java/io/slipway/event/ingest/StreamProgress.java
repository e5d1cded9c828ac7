package io.slipway.event.ingest;

/**
 * How far one stream has safely got: the resourceVersion of the newest item such that it and every item read before
 * it has been handled (acknowledged by Kafka, or deliberately skipped). Items complete out of order (Kafka
 * partitions acknowledge independently), so a later item being acknowledged never moves the checkpoint past an
 * earlier one still in flight.
 *
 * <p>Items are numbered in reading order, so the items not yet passed by the checkpoint are a window of consecutive
 * numbers: a ring of handled flags and resume points, as large as what the pipeline holds (it grows when needed;
 * the checkpoint moves as soon as the oldest item is handled).
 * Sorted sets of pending numbers and resume points cost a few allocations and a log-time update per item, on
 * every thread of the pipeline.
 */
final class StreamProgress {
    /** The oldest item not yet passed by the checkpoint, and the next item to be read. */
    private long oldest;
    private long next;
    private boolean[] handled = new boolean[1024];
    private String[] resumeAt = new String[1024];
    private String checkpoint;

    StreamProgress(String checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** Registers the next item read, in reading order; returns its sequence number. */
    synchronized long read(String resumeAt) {
        if (next - oldest == handled.length) {
            grow();
        }
        long seq = next++;
        int slot = slot(seq);
        this.handled[slot] = false;
        this.resumeAt[slot] = resumeAt;
        return seq;
    }

    /** Marks an item handled; the oldest ones move the checkpoint at once, so the window spans only what is pending. */
    synchronized void handled(long seq) {
        if (seq >= oldest && seq < next) {
            handled[slot(seq)] = true;
            while (oldest < next && handled[slot(oldest)]) {
                int slot = slot(oldest);
                if (resumeAt[slot] != null) {
                    checkpoint = resumeAt[slot];
                    resumeAt[slot] = null;
                }
                oldest++;
            }
        }
    }

    /** The resourceVersion to resume from now (null before the first list completed). */
    synchronized String checkpoint() {
        return checkpoint;
    }

    synchronized int pendingCount() {
        int pending = 0;
        for (long seq = oldest; seq < next; seq++) {
            if (!handled[slot(seq)]) {
                pending++;
            }
        }
        return pending;
    }

    private int slot(long seq) {
        return (int) (seq % handled.length);
    }

    /** Doubles the ring, keeping every slot of the window at its sequence number's new place. */
    private void grow() {
        int size = handled.length;
        boolean[] flags = new boolean[size * 2];
        String[] points = new String[size * 2];
        for (long seq = oldest; seq < next; seq++) {
            flags[(int) (seq % (size * 2))] = handled[(int) (seq % size)];
            points[(int) (seq % (size * 2))] = resumeAt[(int) (seq % size)];
        }
        handled = flags;
        resumeAt = points;
    }
}
