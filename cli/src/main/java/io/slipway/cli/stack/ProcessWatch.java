package io.slipway.cli.stack;

import io.slipway.embedded.ChildProcess;
import io.slipway.retry.Backoff;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps one process of the local stack running (a service, Kafka, PostgreSQL): when it dies (a crash, an out-of-memory
 * exit, SIGKILL) it is started again on the same port, so the gateway's routes and the services' connections stay valid,
 * after a backoff that grows with each crash. A start that fails (the port still held, a broken data directory) counts as
 * a crash and is tried again. After {@link Policy#maxCrashes()} crashes within {@link Policy#window()} it gives up and
 * says so, rather than restarting something that cannot run forever. What it knows (restarts, the last exit) goes into
 * {@code stack.json} for {@code slipway status}.
 *
 * <p>The relaunch runs under this watch's lock, so {@link #stopWatching()} waits for a start under way and answers the
 * process it started: the stack then stops that one.
 */
final class ProcessWatch<P extends ChildProcess> {

    /** How hard to try: the backoff between restarts, and how many crashes within how long mean "give up". */
    record Policy(Backoff backoff, int maxCrashes, Duration window) {
        static final Policy DEFAULT = new Policy(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), 5, Duration.ofMinutes(10));
    }

    /** Where the watched process stands. */
    enum State { RUNNING, RESTARTING, GAVE_UP, HELD, STOPPED }

    private final String name;
    private final Supplier<P> relaunch;
    private final Policy policy;
    private final ScheduledExecutorService scheduler;
    private final PrintStream progress;
    private final Consumer<ProcessWatch<P>> changed;
    private final Deque<Instant> crashes = new ArrayDeque<>();
    private P current;
    private State state = State.RUNNING;
    private int restarts;
    private String lastExit;

    /**
     * Watches {@code first}, called {@code name} in messages; {@code relaunch} starts it again; {@code changed} is told
     * after every restart and when the watch gives up (the stack rewrites {@code stack.json}).
     */
    ProcessWatch(String name, P first, Supplier<P> relaunch, Policy policy, ScheduledExecutorService scheduler, PrintStream progress,
                 Consumer<ProcessWatch<P>> changed) {
        this.name = name;
        this.relaunch = relaunch;
        this.policy = policy;
        this.scheduler = scheduler;
        this.progress = progress;
        this.changed = changed;
        watch(first);
    }

    private synchronized void watch(P process) {
        current = process;
        // async: never in this thread, even for a process that has already ended, so this lock is not held when it runs
        process.onExit().thenAcceptAsync(code -> exited(process, code), scheduler);
    }

    private void exited(P process, int code) {
        boolean held;
        synchronized (this) {
            if (state == State.STOPPED || process != current) {
                return; // stopped on purpose, or an exit already handled
            }
            held = state == State.HELD;
            if (held) {
                lastExit = "stopped on request (slipway stop) at " + Instant.now();
            }
        }
        if (held) {
            changed.accept(this);
            return;
        }
        crashed(describeExit(code), process);
    }

    /**
     * Stops restarting the process ({@code slipway stop}): its exit from now on is not a crash. Answers the process, for
     * the caller to stop; false when there is nothing to hold (already held, given up, the stack stopping).
     */
    synchronized boolean hold() {
        if (state != State.RUNNING && state != State.RESTARTING) {
            return false;
        }
        state = State.HELD;
        return true;
    }

    /** Starts a held process again ({@code slipway start}); not counted as a restart after a crash. */
    synchronized void release() {
        if (state != State.HELD) {
            return;
        }
        state = State.RESTARTING;
        crashes.clear();
        scheduler.execute(() -> restart(false));
    }

    /** Counts a crash (an exit, or a start that failed) and schedules the next start, or gives up. */
    private void crashed(String exit, ChildProcess last) {
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            Instant now = Instant.now();
            lastExit = exit + " at " + now;
            crashes.addLast(now);
            while (!crashes.isEmpty() && crashes.peekFirst().isBefore(now.minus(policy.window()))) {
                crashes.removeFirst();
            }
            if (crashes.size() <= policy.maxCrashes()) {
                state = State.RESTARTING;
                Duration pause = policy.backoff().forRetry(crashes.size());
                progress.println("slipway: " + name + " " + exit + "; restarting in " + pause.toMillis() + " ms (crash "
                        + crashes.size() + " of at most " + policy.maxCrashes() + " within " + policy.window().toMinutes() + " min)");
                scheduler.schedule(() -> restart(true), pause.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            state = State.GAVE_UP;
            progress.println("slipway: " + name + " crashed " + crashes.size() + " times within " + policy.window().toMinutes()
                    + " min (last: " + exit + "); it is not restarted again. See " + last.logFile()
                    + ", then restart the stack: slipway down && slipway up");
        }
        changed.accept(this);
    }

    private void restart(boolean afterCrash) {
        synchronized (this) {
            if (state != State.RESTARTING) {
                return;
            }
            try {
                P next = relaunch.get();
                if (afterCrash) {
                    restarts++;
                }
                state = State.RUNNING;
                watch(next);
            } catch (RuntimeException e) {
                progress.println("slipway: " + name + " could not be started again: " + e.getMessage());
                P last = current;
                try {
                    scheduler.execute(() -> crashed("could not start (" + firstLine(e.getMessage()) + ")", last));
                } catch (RejectedExecutionException stopping) {
                    // the stack is stopping: nothing to restart
                }
                return;
            }
        }
        changed.accept(this);
    }

    /** Stops watching (the stack is stopping): an exit from now on is expected and nothing is restarted. */
    synchronized P stopWatching() {
        state = State.STOPPED;
        return current;
    }

    synchronized P current() {
        return current;
    }

    synchronized State state() {
        return state;
    }

    synchronized int restarts() {
        return restarts;
    }

    /** How the last run ended ("was killed by signal 9 (SIGKILL) at ..."), or null while none has. */
    synchronized String lastExit() {
        return lastExit;
    }

    String name() {
        return name;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int eol = message.indexOf('\n');
        return eol < 0 ? message : message.substring(0, eol);
    }

    /** A process killed by a signal exits with 128 + the signal's number, as a shell reports it. */
    static String describeExit(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            return "was killed by signal " + signal + (signal == 9 ? " (SIGKILL)" : signal == 15 ? " (SIGTERM)" : "");
        }
        return "exited with code " + code;
    }
}
