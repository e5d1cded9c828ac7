package io.slipway.event.ingest;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded hand-off between a cluster's streams and its publisher. A watch reads on an I/O thread that must not
 * block: when the queue is full its item is parked and the watch stops asking its socket for the next message
 * (TCP then pushes back on the API server) until the publisher has taken enough to admit it. A list, read on the
 * stream's own thread, simply blocks. So the queue holds at most its capacity, plus one parked item per stream.
 */
final class IngestQueue {
    private final ArrayBlockingQueue<Observed> queue;
    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    private volatile int peak;

    private record Parked(Observed item, Runnable resume) {
    }

    IngestQueue(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /**
     * From a watch's I/O thread: true if the item was admitted and the watch may read on; false if it was parked, and
     * {@code resume} runs once it has been admitted.
     */
    boolean offer(Observed item, Runnable resume) {
        synchronized (parked) {
            if (parked.isEmpty() && queue.offer(item)) {
                notePeak();
                return true;
            }
            parked.add(new Parked(item, resume));
        }
        admitParked();
        return false;
    }

    /**
     * From a stream's own thread (lists): waits for room. A list follows a watch of the same stream, whose last item
     * may still be parked; it goes first, so that what the stream read stays in order.
     */
    void put(Observed item) throws InterruptedException {
        while (true) {
            synchronized (parked) {
                if (parked.stream().noneMatch(p -> p.item().stream().equals(item.stream()))) {
                    break;
                }
                // woken when a parked item is admitted (the publisher made room); the timeout only re-checks the room
                parked.wait(100);
            }
            admitParked();
        }
        queue.put(item);
        notePeak();
    }

    /** Takes up to {@code max} items, waiting up to {@code waitMillis} for the first. */
    int drainTo(List<Observed> into, int max, long waitMillis) throws InterruptedException {
        Observed first = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
            admitParked();
            return 0;
        }
        into.add(first);
        int n = 1 + queue.drainTo(into, max - 1);
        admitParked();
        return n;
    }

    private void admitParked() {
        Runnable resume = null;
        while (true) {
            synchronized (parked) {
                Parked p = parked.peek();
                if (p == null || !queue.offer(p.item())) {
                    break;
                }
                parked.poll();
                parked.notifyAll();
                notePeak();
                resume = p.resume();
            }
            resume.run();
        }
    }

    private void notePeak() {
        int depth = queue.size();
        if (depth > peak) {
            peak = depth;
        }
    }

    int depth() {
        return queue.size();
    }

    int parkedCount() {
        synchronized (parked) {
            return parked.size();
        }
    }

    /** The largest depth ever reached (never above the capacity). */
    int peak() {
        return peak;
    }

    void clear() {
        synchronized (parked) {
            queue.clear();
            parked.clear();
        }
    }
}
