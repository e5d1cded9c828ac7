package io.slipway.cli.stack;

import io.slipway.retry.Backoff;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps one service of the local stack running: when its process dies (a crash, an out-of-memory exit, SIGKILL) it is
 * started again on the same port, so the gateway's routes stay valid, after a backoff that grows with each crash. After
 * {@link Policy#maxCrashes()} crashes within {@link Policy#window()} it gives up and says so, rather than restarting a
 * service that cannot run forever. What it knows (restarts, the last exit) goes into {@code stack.json} for
 * {@code slipway status}.
 */
final class ServiceWatch {

    /** How hard to try: the backoff between restarts, and how many crashes within how long mean "give up". */
    record Policy(Backoff backoff, int maxCrashes, Duration window) {
        static final Policy DEFAULT = new Policy(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), 5, Duration.ofMinutes(10));
    }

    /** Where the watched service stands. */
    enum State { RUNNING, RESTARTING, GAVE_UP, STOPPED }

    private final Supplier<ServiceProcess> relaunch;
    private final Policy policy;
    private final ScheduledExecutorService scheduler;
    private final PrintStream progress;
    private final Consumer<ServiceWatch> changed;
    private final Deque<Instant> crashes = new ArrayDeque<>();
    private ServiceProcess current;
    private State state = State.RUNNING;
    private int restarts;
    private String lastExit;

    /**
     * Watches {@code first}; {@code relaunch} starts the service again; {@code changed} is told after every restart and
     * when the watch gives up (the stack rewrites {@code stack.json}).
     */
    ServiceWatch(ServiceProcess first, Supplier<ServiceProcess> relaunch, Policy policy, ScheduledExecutorService scheduler,
                 PrintStream progress, Consumer<ServiceWatch> changed) {
        this.relaunch = relaunch;
        this.policy = policy;
        this.scheduler = scheduler;
        this.progress = progress;
        this.changed = changed;
        watch(first);
    }

    private synchronized void watch(ServiceProcess process) {
        current = process;
        process.onExit(() -> exited(process));
    }

    private void exited(ServiceProcess process) {
        Duration pause;
        synchronized (this) {
            if (state == State.STOPPED || process != current) {
                return; // stopped on purpose, or an exit already handled
            }
            Instant now = Instant.now();
            String exit = describeExit(process.exitValue());
            lastExit = exit + " at " + now;
            crashes.addLast(now);
            while (!crashes.isEmpty() && crashes.peekFirst().isBefore(now.minus(policy.window()))) {
                crashes.removeFirst();
            }
            if (crashes.size() > policy.maxCrashes()) {
                state = State.GAVE_UP;
                progress.println("slipway: " + name() + " crashed " + crashes.size() + " times within " + policy.window().toMinutes()
                        + " min (last: " + exit + "); it is not restarted again. See " + process.log()
                        + ", then restart the stack: slipway down && slipway up");
            } else {
                state = State.RESTARTING;
                pause = policy.backoff().forRetry(crashes.size());
                progress.println("slipway: " + name() + " " + exit + "; restarting in "
                        + pause.toMillis() + " ms (crash " + crashes.size() + " of at most " + policy.maxCrashes() + " within "
                        + policy.window().toMinutes() + " min)");
                scheduler.schedule(this::restart, pause.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
        }
        changed.accept(this);
    }

    private void restart() {
        synchronized (this) {
            if (state != State.RESTARTING) {
                return;
            }
            try {
                ServiceProcess next = relaunch.get();
                restarts++;
                state = State.RUNNING;
                watch(next);
            } catch (RuntimeException e) {
                // the launch itself failed (the jar is gone): a crash like any other, counted towards giving up
                lastExit = "could not start: " + e.getMessage();
                progress.println("slipway: " + name() + " could not be started again: " + e.getMessage());
                state = State.GAVE_UP;
            }
        }
        changed.accept(this);
    }

    /** Stops watching (the stack is stopping): an exit from now on is expected and nothing is restarted. */
    synchronized ServiceProcess stopWatching() {
        state = State.STOPPED;
        return current;
    }

    synchronized ServiceProcess current() {
        return current;
    }

    synchronized State state() {
        return state;
    }

    synchronized int restarts() {
        return restarts;
    }

    /** How the last run ended ("killed by signal 9 at ..."), or null while none has. */
    synchronized String lastExit() {
        return lastExit;
    }

    String name() {
        return current().spec().name();
    }

    /** A JVM killed by a signal exits with 128 + the signal's number, as a shell reports it. */
    static String describeExit(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            return "was killed by signal " + signal + (signal == 9 ? " (SIGKILL)" : signal == 15 ? " (SIGTERM)" : "");
        }
        return "exited with code " + code;
    }
}
