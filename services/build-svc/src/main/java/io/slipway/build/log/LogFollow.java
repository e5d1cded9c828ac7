package io.slipway.build.log;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Follows a growing log by polling it: every poll's lines, in order, until a poll finds the log complete. */
public final class LogFollow {
    private LogFollow() {
    }

    /** What one poll found: new text (whole lines), and whether the log is complete (nothing more will come). */
    public record Poll(String text, boolean done) {
        List<String> lines() {
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }
    }

    /**
     * Polls every {@code period}. A tick that comes while the previous poll still runs (a slow database) is dropped:
     * {@code ticks()} would otherwise fail the stream with a back-pressure error, and a follower would see the log end
     * before the build did.
     */
    public static Multi<String> lines(Duration period, Supplier<Uni<Poll>> poll) {
        return Multi.createFrom().ticks().every(period).onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> poll.get())
                .select().first(p -> !p.done())
                .onItem().transformToMultiAndConcatenate(p -> Multi.createFrom().iterable(p.lines()));
    }
}
