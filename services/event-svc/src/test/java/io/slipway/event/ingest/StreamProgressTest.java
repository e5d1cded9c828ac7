package io.slipway.event.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checkpoint never passes an item still pending, whatever order items are handled in. */
class StreamProgressTest {

    @Test
    void theCheckpointIsTheNewestResumePointWithEverythingBeforeItHandled() {
        StreamProgress p = new StreamProgress("100");
        long listed = p.read(null);
        long a = p.read("101");
        long b = p.read("102");
        long c = p.read("103");
        assertThat(p.checkpoint()).isEqualTo("100");
        p.handled(b);
        p.handled(c);
        assertThat(p.checkpoint()).isEqualTo("100");
        p.handled(listed);
        assertThat(p.checkpoint()).isEqualTo("100");
        p.handled(a);
        assertThat(p.checkpoint()).isEqualTo("103");
        assertThat(p.pendingCount()).isZero();
        p.handled(a); // handled twice (a skipped item acknowledged later): nothing moves back
        assertThat(p.checkpoint()).isEqualTo("103");
    }

    @Test
    void manyItemsInAnyOrderBeyondTheRingsSize() {
        StreamProgress p = new StreamProgress(null);
        List<Long> pending = new ArrayList<>();
        for (int i = 1; i <= 10_000; i++) {
            pending.add(p.read(i % 7 == 0 ? null : Integer.toString(i)));
        }
        Collections.shuffle(pending, new Random(42));
        long oldestPending = pending.stream().mapToLong(Long::longValue).min().orElseThrow();
        pending.remove(oldestPending);
        pending.forEach(p::handled);
        assertThat(p.checkpoint()).as("nothing passes the oldest pending item").isEqualTo(oldestPending == 0 ? null
                : Integer.toString(lastResumePointBefore(oldestPending)));
        assertThat(p.pendingCount()).isOne();
        p.handled(oldestPending);
        assertThat(p.checkpoint()).isEqualTo("10000");
        assertThat(p.pendingCount()).isZero();
    }

    /** The resume point of the newest item before sequence number {@code seq} (item i+1 has seq i; every 7th has none). */
    private static int lastResumePointBefore(long seq) {
        for (long s = seq - 1; s >= 0; s--) {
            if ((s + 1) % 7 != 0) {
                return (int) (s + 1);
            }
        }
        throw new IllegalStateException();
    }
}
