package io.slipway.event.sink;

import java.time.Instant;

/**
 * Where a replay starts: the first record at or after a time, a given offset (in every partition, or in one), or the
 * beginning of what the topic still holds.
 */
public sealed interface ReplayFrom {

    record Time(Instant at) implements ReplayFrom {
    }

    /** {@code partition} null means every partition; offsets outside what a partition holds are moved inside it. */
    record Offset(long offset, Integer partition) implements ReplayFrom {
    }

    record Earliest() implements ReplayFrom {
    }
}
