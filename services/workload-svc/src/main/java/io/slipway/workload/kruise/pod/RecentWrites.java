package io.slipway.workload.kruise.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's own pod writes that its informer has not shown yet. The next reconcile may start before the watch
 * delivers them; planning from the stale cache would count a pod it just took out of service as available and spend
 * the unavailability budget twice (Kubernetes' controllers keep "expectations" for the same reason). A written copy
 * wins over the cached one while its resourceVersion is newer; a deletion hides the pod until the cache agrees.
 */
public final class RecentWrites {
    private static final long TTL_MILLIS = 60_000;

    private record Entry(Pod pod, boolean deleted, long at) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public void written(Pod pod) {
        entries.put(PodWrites.key(pod), new Entry(pod, false, System.currentTimeMillis()));
    }

    public void deleted(Pod pod) {
        Pod marked = io.fabric8.kubernetes.client.utils.Serialization.clone(pod);
        if (marked.getMetadata().getDeletionTimestamp() == null) {
            marked.getMetadata().setDeletionTimestamp(Instant.now().toString());
        }
        entries.put(PodWrites.key(pod), new Entry(marked, true, System.currentTimeMillis()));
    }

    /**
     * The pods as the cache shows them, corrected by writes it has not caught up with; {@code namespace} null for the
     * pods of every namespace (a cluster-scoped workload's).
     */
    public List<Pod> overlay(Collection<Pod> cached, String namespace, java.util.function.Predicate<Pod> ours) {
        long now = System.currentTimeMillis();
        Map<String, Pod> pods = new LinkedHashMap<>();
        for (Pod p : cached) {
            pods.put(PodWrites.key(p), p);
        }
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry w = e.getValue();
            if (namespace != null && !namespace.equals(w.pod().getMetadata().getNamespace()) || !ours.test(w.pod())) {
                continue;
            }
            Pod c = pods.get(e.getKey());
            boolean stale = now - w.at() > TTL_MILLIS;
            if (c == null) {
                if (w.deleted() || stale) {
                    entries.remove(e.getKey(), w); // gone, as written; or a create the cache never showed
                } else {
                    pods.put(e.getKey(), w.pod());
                }
            } else if (!c.getMetadata().getUid().equals(w.pod().getMetadata().getUid()) || rv(c) >= rv(w.pod()) && !w.deleted() || stale) {
                entries.remove(e.getKey(), w); // the cache caught up (or shows a newer pod of that name)
            } else if (w.deleted()) {
                if (c.getMetadata().getDeletionTimestamp() != null) {
                    entries.remove(e.getKey(), w);
                } else {
                    pods.put(e.getKey(), w.pod());
                }
            } else {
                pods.put(e.getKey(), w.pod());
            }
        }
        return new ArrayList<>(pods.values());
    }

    private static long rv(Pod p) {
        try {
            return Long.parseLong(p.getMetadata().getResourceVersion());
        } catch (RuntimeException e) {
            return Long.MAX_VALUE; // not a number: trust the cache
        }
    }
}
