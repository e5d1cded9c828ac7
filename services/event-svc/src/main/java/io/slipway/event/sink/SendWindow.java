package io.slipway.event.sink;

import io.slipway.event.route.Receiver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A receiver's rate limits as sliding windows: a send is allowed when every limit has had fewer than {@code messages}
 * sends in the last {@code per}. A send is counted when its answer arrived, which is never earlier than when the
 * receiver counted it, so the receiver never sees more than the limit in any window. Used by one thread.
 */
final class SendWindow {
    private final List<Receiver.RateLimit> limits;
    private final List<Deque<Long>> sent;

    SendWindow(List<Receiver.RateLimit> limits) {
        this.limits = List.copyOf(limits);
        this.sent = limits.stream().map(l -> (Deque<Long>) new ArrayDeque<Long>()).toList();
    }

    boolean free(long nowMillis) {
        return nextFree(nowMillis) <= nowMillis;
    }

    /** The earliest time a send is allowed. */
    long nextFree(long nowMillis) {
        long next = nowMillis;
        for (int i = 0; i < limits.size(); i++) {
            Receiver.RateLimit limit = limits.get(i);
            Deque<Long> times = sent.get(i);
            long windowStart = nowMillis - limit.per().toMillis();
            while (!times.isEmpty() && times.peekFirst() <= windowStart) {
                times.pollFirst();
            }
            if (times.size() >= limit.messages()) {
                // the oldest send of the last `messages` leaves the window `per` after it was counted
                long oldestThatMustLeave = times.stream().skip(times.size() - limit.messages()).findFirst().orElseThrow();
                next = Math.max(next, oldestThatMustLeave + limit.per().toMillis() + 1);
            }
        }
        return next;
    }

    void record(long atMillis) {
        for (Deque<Long> times : sent) {
            times.addLast(atMillis);
        }
    }

    @Override
    public String toString() {
        return limits.stream().map(Receiver.RateLimit::toString).collect(Collectors.joining(" and "));
    }
}
