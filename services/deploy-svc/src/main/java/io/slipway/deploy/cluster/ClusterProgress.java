package io.slipway.deploy.cluster;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live progress of this instance's operations, for SSE watchers: each host step as it is recorded, then the cluster's
 * final state. Published after the step's transaction committed, so a watcher never sees what did not happen.
 */
@ApplicationScoped
public class ClusterProgress {

    /** One line of progress; without host, a cluster state (the last one of an operation is settled). */
    public record ProgressEvent(String cluster, String host, String step, String state, String detail, Instant at) {
        public boolean settles() {
            if (host != null) {
                return false;
            }
            try {
                return Cluster.State.valueOf(state).settled();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    private final Map<String, BroadcastProcessor<ProgressEvent>> streams = new ConcurrentHashMap<>();

    public void publish(ProgressEvent event) {
        BroadcastProcessor<ProgressEvent> p = streams.get(event.cluster());
        if (p != null) {
            p.onNext(event);
        }
    }

    /**
     * The cluster's state now, then its events until the running operation settles. The live stream is joined before
     * the state is read, so an operation ending in between is not missed.
     */
    public Multi<ProgressEvent> watch(String cluster, Uni<ClusterView> current) {
        return Multi.createFrom().emitter(emitter -> {
            java.util.concurrent.ConcurrentLinkedQueue<ProgressEvent> early = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean snapshotSent = new java.util.concurrent.atomic.AtomicBoolean();
            var subscription = follow(cluster).subscribe().with(e -> {
                synchronized (early) {
                    if (!snapshotSent.get()) {
                        early.add(e);
                        return;
                    }
                }
                emitter.emit(e);
                if (e.settles()) {
                    emitter.complete();
                }
            }, emitter::fail);
            emitter.onTermination(subscription::cancel);
            current.subscribe().with(view -> {
                emitter.emit(new ProgressEvent(cluster, null, null, view.state().name(), view.message(), Instant.now()));
                if (!view.pending()) {
                    emitter.complete();
                    return;
                }
                synchronized (early) {
                    for (ProgressEvent e : early) {
                        emitter.emit(e);
                        if (e.settles()) {
                            emitter.complete();
                            return;
                        }
                    }
                    snapshotSent.set(true);
                }
            }, emitter::fail);
        });
    }

    /** Events of {@code cluster} from now on. */
    public Multi<ProgressEvent> follow(String cluster) {
        return streams.computeIfAbsent(cluster, c -> BroadcastProcessor.create());
    }
}
