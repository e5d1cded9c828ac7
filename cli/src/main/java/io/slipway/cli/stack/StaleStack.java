package io.slipway.cli.stack;

import io.slipway.embedded.Processes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a killed {@code up} process leaves behind: a stack.json naming a dead process and services still running.
 * Kafka and PostgreSQL clean up their own leftovers on their next start (pid files in their data directories).
 */
public final class StaleStack {
    private static final String SERVICE_MARKER = "quarkus-run.jar";

    private StaleStack() {
    }

    /** If stack.json describes a stack whose {@code up} process is gone, stops its orphaned services and removes it. */
    public static void clear(StackLayout layout, PrintStream out) {
        Optional<StackFile.State> state = StackFile.read(layout);
        if (state.isEmpty() || StackFile.liveUpProcess(state.get()).isPresent()) {
            return;
        }
        List<ProcessHandle> orphans = new ArrayList<>();
        for (StackFile.Service s : state.get().services()) {
            Processes.aliveWithMarker(s.pid(), SERVICE_MARKER).ifPresent(orphans::add);
        }
        if (!orphans.isEmpty()) {
            out.println("Stopping " + orphans.size() + " service(s) left running by a previous slipway up (pid "
                    + state.get().pid() + ") ...");
            orphans.forEach(ProcessHandle::destroy);
            orphans.forEach(h -> Processes.awaitExitOrKill(h, Duration.ofSeconds(15)));
        }
        try {
            Files.deleteIfExists(layout.stackFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove the stale " + layout.stackFile() + ": " + e.getMessage(), e);
        }
    }

    /** Waits for a process to exit; true when it did within {@code timeout}. */
    static boolean awaitExit(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        } catch (Exception e) {
            return !h.isAlive();
        }
    }
}
