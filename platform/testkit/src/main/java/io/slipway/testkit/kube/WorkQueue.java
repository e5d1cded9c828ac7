package io.slipway.testkit.kube;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulation's counterpart of client-go's workqueue: keys to reconcile, each queued at most once however often it
 * changed, worked off on the simulated control plane's thread. Adding is cheap and never blocks, so the API server
 * can add while committing a write.
 */
final class WorkQueue<K> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);

    private final String name;
    private final Executor executor;
    private final Consumer<K> worker;
    private final Set<K> pending = new LinkedHashSet<>();
    private boolean scheduled;

    WorkQueue(String name, Executor executor, Consumer<K> worker) {
        this.name = name;
        this.executor = executor;
        this.worker = worker;
    }

    void add(K key) {
        synchronized (this) {
            if (!pending.add(key) || scheduled) {
                return;
            }
            scheduled = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the cluster is closing
        }
    }

    /** Works off one batch, then yields the thread to the other queues before the next. */
    private void drain() {
        List<K> batch;
        synchronized (this) {
            batch = new ArrayList<>(pending);
            pending.clear();
        }
        for (K key : batch) {
            try {
                worker.accept(key);
            } catch (RuntimeException e) {
                // a bug in the simulation must not stop it: log with the key and carry on, as a controller would
                LOG.warn("simulated {} failed on {}", name, key, e);
            }
        }
        synchronized (this) {
            if (pending.isEmpty()) {
                scheduled = false;
                return;
            }
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the cluster is closing
        }
    }
}
