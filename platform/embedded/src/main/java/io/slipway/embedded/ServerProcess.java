package io.slipway.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The child process of an embedded server (Kafka, PostgreSQL, the registry), one way for all three: started with its
 * output appended to its log, awaited until a probe answers (a crash while starting is reported with the log's last
 * lines), stopped politely and then for good on close or when the JVM exits (a shutdown hook), or killed as a crash
 * would kill it.
 */
final class ServerProcess {
    /** Answers when the server is ready; throws what went wrong otherwise (the last failure is reported on timeout). */
    @FunctionalInterface
    interface Probe {
        void check() throws Exception;
    }

    private final String what;
    private final Process process;
    private final Path log;
    private final Consumer<Process> ask;
    private final Duration stopTimeout;
    private final Consumer<Process> afterStop;
    private final Thread shutdownHook;
    private final CompletableFuture<Integer> exit;
    private boolean stopped;

    private ServerProcess(String what, Process process, Path log, Consumer<Process> ask, Duration stopTimeout, Consumer<Process> afterStop) {
        this.what = what;
        this.process = process;
        this.log = log;
        this.ask = ask;
        this.stopTimeout = stopTimeout;
        this.afterStop = afterStop;
        this.shutdownHook = new Thread(this::stopQuietly, "embedded-" + what.replaceAll("\\W+", "-") + "-shutdown-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // a server that died on its own (a crash, kill -9) has nothing left to stop when the JVM exits; a caller that
        // starts it again must not collect one hook per crash
        this.exit = Processes.exitOf(process);
        exit.thenRun(() -> Processes.removeShutdownHook(shutdownHook));
    }

    /**
     * Starts {@code builder} with its output appended to {@code log}. {@code ask} asks it to stop (null: SIGTERM); it gets
     * {@code stopTimeout} before SIGKILL; {@code afterStop} runs once it is gone (null: nothing).
     */
    static ServerProcess start(String what, ProcessBuilder builder, Path log, Consumer<Process> ask, Duration stopTimeout,
                               Consumer<Process> afterStop) throws IOException {
        Process process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServerProcess(what, process, log, ask == null ? Process::destroy : ask, stopTimeout,
                afterStop == null ? p -> { } : afterStop);
    }

    /**
     * Waits until {@code probe} answers, polling every {@code poll}, for at most {@code timeout}; {@code where} says where
     * the server should answer ("on 127.0.0.1:5432 (data /d)"). On failure the process is stopped and the exception
     * carries the last lines of the log.
     */
    void awaitReady(Duration timeout, Duration poll, String where, Probe probe) throws InterruptedException {
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            Exception last = null;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(Processes.describeFailure(what + " exited with code " + process.exitValue()
                            + " while starting " + where, log));
                }
                try {
                    probe.check();
                    return;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    last = e;
                }
                try {
                    process.onExit().get(poll.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException ignored) {
                    // still running: probe again
                }
            }
            throw new IllegalStateException(Processes.describeFailure(what + " did not answer " + where + " within "
                    + timeout.toSeconds() + " s; last error: " + (last == null ? "none" : last.getMessage()), log));
        } catch (RuntimeException | InterruptedException e) {
            stopQuietly();
            Processes.removeShutdownHook(shutdownHook);
            throw e;
        }
    }

    boolean isRunning() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Completes with the exit code (128 + the signal's number for a killed process) once the process has ended. */
    CompletableFuture<Integer> onExit() {
        return exit.copy();
    }

    /** Stops the server (its polite way, SIGKILL after the stop timeout) and waits; {@code describe} names it in an error. */
    void close(String describe) {
        stopQuietly();
        Processes.removeShutdownHook(shutdownHook);
        if (process.isAlive()) {
            throw new IllegalStateException(what + " (" + describe + ") did not stop");
        }
    }

    /** SIGKILLs the server and anything it started, as a crash would, and waits until it is gone. */
    void kill() {
        synchronized (this) {
            stopped = true;
            Processes.killAndWait(process.toHandle(), stopTimeout);
        }
        Processes.removeShutdownHook(shutdownHook);
        if (process.isAlive()) {
            throw new IllegalStateException(what + " (pid " + process.pid() + ") survived SIGKILL");
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        Processes.stop(process, () -> ask.accept(process), stopTimeout);
        afterStop.accept(process);
    }
}
