package io.slipway.oci.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs I/O tasks at most {@code concurrency} at a time (virtual threads) and waits for all; the first failure is thrown, the others attached. */
public final class Parallel {

    private Parallel() {
    }

    public static <T> List<T> run(int concurrency, String threadName, List<? extends Callable<T>> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return List.of();
        }
        if (tasks.size() == 1 || concurrency <= 1) {
            List<T> results = new ArrayList<>();
            for (Callable<T> task : tasks) {
                results.add(call(task));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, tasks.size()),
                Thread.ofVirtual().name(threadName + "-", 0).factory());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>();
            IOException failure = null;
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    IOException cause = asIo(e.getCause());
                    if (failure == null) {
                        failure = cause;
                        futures.forEach(other -> other.cancel(true));
                    } else if (cause != failure && !(cause instanceof InterruptedIOException)) {
                        failure.addSuppressed(cause);
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // cancelled after the first failure
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.forEach(other -> other.cancel(true));
                    throw new InterruptedIOException("interrupted while waiting for " + threadName + " tasks");
                }
            }
            if (failure != null) {
                throw failure;
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T call(Callable<T> task) throws IOException {
        try {
            return task.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static IOException asIo(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t.getMessage(), t);
    }
}
