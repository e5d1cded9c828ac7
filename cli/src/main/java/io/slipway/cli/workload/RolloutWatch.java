package io.slipway.cli.workload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import java.io.PrintStream;

/**
 * Draws a rollout's progress bar for every view workload-svc streams: redrawn in place on a terminal, otherwise one line
 * per change (so a CI log keeps the history without repeats). {@link #finish} prints the last view's summary.
 */
final class RolloutWatch {
    private final Object ref;
    private final PrintStream out;
    private final boolean terminal;
    private Rollout last;
    private String lastLine = "";

    /** {@code ref}: what is followed, as messages name it (a WorkloadRef, a ComponentRef). */
    RolloutWatch(Object ref, PrintStream out, boolean terminal) {
        this.ref = ref;
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * {@code view}'s summary, or with {@code watch} the views {@code streamPath} streams, a line each, until the stream
     * ends: the exit code of how it settled.
     */
    static int showOrFollow(PlatformClient client, JsonNode view, String streamPath, Object ref, boolean watch) {
        if (!watch) {
            new Rollout(view).printSummary(System.out);
            return 0;
        }
        // System.console() is null when output is redirected (JDK 21): then one line per change instead of redrawing
        RolloutWatch progress = new RolloutWatch(ref, System.out, System.console() != null);
        progress.accept(view);
        client.follow(streamPath, progress::accept);
        return progress.finish();
    }

    /** One Server-Sent Event's data: a WorkloadProgress as JSON. */
    void accept(String data) {
        JsonNode view;
        try {
            view = PlatformClient.mapper().readTree(data);
        } catch (JsonProcessingException e) {
            throw new UserError("workload-svc sent a view of " + ref + " that is not JSON: " + e.getOriginalMessage());
        }
        accept(view);
    }

    void accept(JsonNode view) {
        last = new Rollout(view);
        String line = last.bar();
        if (terminal) {
            // pad over what the previous, longer line left on the terminal
            out.print("\r" + line + " ".repeat(Math.max(0, lastLine.length() - line.length())));
        } else if (!line.equals(lastLine)) {
            out.println(line);
        }
        lastLine = line;
        out.flush();
    }

    /** The stream has ended: the summary of the last view, and its exit code. */
    int finish() {
        if (terminal && !lastLine.isEmpty()) {
            out.println();
        }
        if (last == null) {
            throw new UserError("workload-svc's stream of " + ref + " ended without a view");
        }
        last.printSummary(out);
        if (!last.settled()) {
            throw new UserError("workload-svc's stream of " + ref + " ended before the rollout settled (" + last.phase() + ")");
        }
        return last.exitCode();
    }
}
