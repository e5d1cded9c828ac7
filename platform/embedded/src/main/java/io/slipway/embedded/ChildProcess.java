package io.slipway.embedded;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A process this JVM started and keeps an eye on (the embedded Kafka and PostgreSQL, the local stack's services): what
 * a watch that restarts it when it dies needs to know.
 */
public interface ChildProcess {

    /** The pid of the process itself (not of a wrapper that launched it): killing it is what a crash looks like. */
    long pid();

    /**
     * Completes once the process has ended, however it ended, with its exit code: 128 plus the signal's number when a
     * signal killed it, as a shell reports it (137 for SIGKILL).
     */
    CompletableFuture<Integer> onExit();

    /** Where the process's output goes. */
    Path logFile();
}
