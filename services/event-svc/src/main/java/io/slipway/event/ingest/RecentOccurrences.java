package io.slipway.event.ingest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The ids of the occurrences this run handled most recently, so that the same occurrence arriving again soon (from
 * the other event API, a re-delivered MODIFIED, a resumed watch) is recognised without asking the database. Bounded:
 * the oldest are forgotten first; the database still knows them.
 */
final class RecentOccurrences {
    private final Map<UUID, Boolean> ids;

    RecentOccurrences(int capacity) {
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True if {@code id} was not among them (and now is). */
    synchronized boolean add(UUID id) {
        return ids.put(id, Boolean.TRUE) == null;
    }

    synchronized boolean contains(UUID id) {
        return ids.containsKey(id);
    }
}
