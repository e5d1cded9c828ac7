package io.slipway.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps a long-running task going on a named daemon thread: when a run fails it is started again after a
 * {@link Backoff} pause, until {@link #stop} says otherwise. The callers (a sink's delivery, a cluster's ingest, the
 * outbox relay) report from it how many runs failed in a row, how many restarts there were and the last error.
 *
 * <p>A run that returns normally ended healthily: the count of failures in a row starts afresh and the task runs again
 * at once, unless stopping. A run that throws {@link StandBy} waits for its turn (another instance holds the work) and
 * runs again after the pause it names, the count untouched. What a run throws while the supervisor is stopping is the
 * stop's doing, not a failure. The supervisor can be started again after a stop; its counts carry over.
 */
public final class Supervisor {

    /** One run of the supervised work; returns when the work ended (as a stop makes it end), throws when it failed. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    /** A failed run, as told to the failure listener before the pause: the count so far, the pause, the cause. */
    public record Failure(int inARow, Duration retryIn, Exception error) {
    }

    /** Thrown by a run that cannot work now and is no failure: another instance holds the work. */
    public static final class StandBy extends Exception {
        private final Duration retryIn;

        public StandBy(String reason, Duration retryIn) {
            super(reason, null, false, false);
            this.retryIn = Objects.requireNonNull(retryIn);
        }

        public Duration retryIn() {
            return retryIn;
        }
    }

    private final String threadName;
    private final Task task;
    private final Backoff backoff;
    private final Duration healthyRun;
    private final boolean interruptOnStop;
    private final Consumer<Failure> onFailure;
    private final Runnable onExit;

    /** The thread of the current start and whether it was told to stop; a new start gets a new one. */
    private volatile Life life;
    private volatile int failuresInARow;
    private volatile long restarts;
    private volatile String lastError;

    private Supervisor(Builder b, Task task) {
        this.threadName = b.threadName;
        this.backoff = b.backoff;
        this.healthyRun = b.healthyRun;
        this.interruptOnStop = b.interruptOnStop;
        this.onFailure = b.onFailure;
        this.onExit = b.onExit;
        this.task = Objects.requireNonNull(task);
    }

    /** A supervisor whose thread is named {@code threadName}, restarting failed runs after {@code backoff}'s pauses. */
    public static Builder named(String threadName, Backoff backoff) {
        return new Builder(threadName, backoff);
    }

    public static final class Builder {
        private final String threadName;
        private final Backoff backoff;
        private Duration healthyRun;
        private boolean interruptOnStop;
        private Consumer<Failure> onFailure = f -> { };
        private Runnable onExit = () -> { };

        private Builder(String threadName, Backoff backoff) {
            this.threadName = Objects.requireNonNull(threadName);
            this.backoff = Objects.requireNonNull(backoff);
        }

        /** A run that lasted this long before failing counts as a fresh start of the failures in a row. */
        public Builder healthyAfter(Duration healthyRun) {
            this.healthyRun = healthyRun;
            return this;
        }

        /** Interrupts the thread on {@link #stop}, for runs that end only so (waiting on a future, say). */
        public Builder interruptOnStop() {
            this.interruptOnStop = true;
            return this;
        }

        /** Told of each failed run, on the supervisor's thread, before the pause (to log it, count it). */
        public Builder onFailure(Consumer<Failure> onFailure) {
            this.onFailure = Objects.requireNonNull(onFailure);
            return this;
        }

        /** Run on the supervisor's thread when it ends, after the last run (to close what the runs shared). */
        public Builder onExit(Runnable onExit) {
            this.onExit = Objects.requireNonNull(onExit);
            return this;
        }

        public Supervisor build(Task task) {
            return new Supervisor(this, task);
        }
    }

    private static final class Life {
        volatile Thread thread;
        volatile boolean stopping;
    }

    /** Starts the thread; false (nothing done) when it is started and not stopped. */
    public synchronized boolean start() {
        if (life != null && !life.stopping) {
            return false;
        }
        Life l = new Life();
        l.thread = new Thread(() -> supervise(l), threadName);
        l.thread.setDaemon(true);
        life = l;
        l.thread.start();
        return true;
    }

    /**
     * Stops: no run starts any more and a pause ends at once; {@code endRun} then ends the current run (the caller
     * knows how: close its consumer, stop its engine), and the thread is awaited for up to {@code wait}. Returns
     * whether the thread ended in time.
     */
    public boolean stop(Runnable endRun, Duration wait) {
        Life l;
        synchronized (this) {
            l = life;
            if (l == null) {
                return true;
            }
            l.stopping = true;
            notifyAll();
        }
        endRun.run();
        if (interruptOnStop) {
            l.thread.interrupt();
        }
        if (l.thread == Thread.currentThread()) {
            return false;
        }
        try {
            l.thread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !l.thread.isAlive();
    }

    /**
     * Runs {@code register} (a run making itself known to the stop's {@code endRun}) unless this run's supervisor is
     * stopping; atomic with {@link #stop}, so a run registered here is always seen by the stop. False when stopping:
     * the run should end at once. What {@code register} throws is the run's failure.
     */
    public synchronized boolean whileRunning(Task register) throws Exception {
        Life l = life;
        if (l == null || l.stopping || l.thread != Thread.currentThread()) {
            return false;
        }
        register.run();
        return true;
    }

    /** Whether it was stopped (or never started). */
    public boolean stopping() {
        Life l = life;
        return l == null || l.stopping;
    }

    /** A run tells that it works again (a batch went through): the failures in a row start afresh. */
    public void healed() {
        failuresInARow = 0;
    }

    /** Runs that failed in a row (0 while it works). */
    public int failuresInARow() {
        return failuresInARow;
    }

    /** Failed runs since the supervisor was made, each followed by a restart. */
    public long restarts() {
        return restarts;
    }

    /** The message of the last failure, null before the first. */
    public String lastError() {
        return lastError;
    }

    private void supervise(Life l) {
        try {
            while (!l.stopping) {
                long started = System.nanoTime();
                Duration pause;
                try {
                    task.run();
                    failuresInARow = 0;
                    continue;
                } catch (StandBy s) {
                    pause = s.retryIn();
                } catch (Exception e) {
                    if (l.stopping) {
                        break;
                    }
                    pause = failed(e, System.nanoTime() - started);
                }
                if (!pause(l, pause)) {
                    break;
                }
            }
        } finally {
            onExit.run();
        }
    }

    private Duration failed(Exception e, long ranNanos) {
        if (healthyRun != null && ranNanos > healthyRun.toNanos()) {
            failuresInARow = 0;
        }
        int inARow = ++failuresInARow;
        restarts++;
        lastError = e.getMessage();
        Duration delay = backoff.forRetry(inARow);
        onFailure.accept(new Failure(inARow, delay, e));
        return delay;
    }

    /** Waits {@code d} unless stopped meanwhile; false when stopped (or interrupted). */
    private synchronized boolean pause(Life l, Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        try {
            while (!l.stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
