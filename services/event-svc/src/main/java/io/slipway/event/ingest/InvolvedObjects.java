package io.slipway.event.ingest;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * Labels and annotations of the objects events are about, read from the cluster and cached (bounded, least recently
 * used out, entries refreshed after a TTL or when the event names another uid: the object was recreated). An object
 * that is gone or that RBAC does not let us read is cached as having none; a transient failure is retried a few
 * times, then the event goes out without them and the failure is counted.
 */
final class InvolvedObjects implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InvolvedObjects.class);
    private static final int ATTEMPTS = 3;
    /** Reads of objects missing from the cache made at once, so a cold cache costs a few round trips, not hundreds. */
    private static final int PARALLEL_READS = 16;

    /** What events are enriched with; {@link #NONE} when it cannot be known. */
    record Metadata(String uid, Map<String, String> labels, Map<String, String> annotations) {
        static final Metadata NONE = new Metadata(null, Map.of(), Map.of());
    }

    private record Key(String apiVersion, String kind, String namespace, String name) {
    }

    private record Cached(Metadata metadata, long readAtNanos) {
    }

    private final KubernetesClient client;
    private final long ttlNanos;
    private final Set<String> dropAnnotations;
    private final IngestMeters.Cluster meters;
    private final Map<Key, Cached> cache;
    private final Set<String> forbiddenKinds = ConcurrentHashMap.newKeySet();
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore reading = new Semaphore(PARALLEL_READS);

    InvolvedObjects(KubernetesClient client, IngestConfig.Enrich config, IngestMeters.Cluster meters) {
        this.client = client;
        this.ttlNanos = config.cacheTtl().toNanos();
        this.dropAnnotations = Set.copyOf(config.dropAnnotations());
        this.meters = meters;
        int size = config.cacheSize();
        this.cache = new LinkedHashMap<>(Math.min(size, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > size;
            }
        };
    }

    /**
     * Reads, in parallel, the objects of {@code refs} the cache lacks, so that the {@link #of} calls that follow find
     * them. Called from the cluster's preparing thread while its publisher thread calls {@link #of}: the cache is
     * guarded, the reads are made outside it.
     */
    void prefetch(List<Occurrence.Involved> refs) throws InterruptedException {
        long now = System.nanoTime();
        Map<Key, Occurrence.Involved> missing = new LinkedHashMap<>();
        synchronized (cache) {
            for (Occurrence.Involved ref : refs) {
                Key key = keyOf(ref);
                if (key != null && !fresh(cache.get(key), ref, now)) {
                    missing.putIfAbsent(key, ref);
                }
            }
        }
        if (missing.size() < 2) {
            return;
        }
        List<Callable<Metadata>> reads = new ArrayList<>();
        List<Key> keys = new ArrayList<>(missing.keySet());
        for (Key key : keys) {
            reads.add(() -> {
                reading.acquire();
                try {
                    return read(key);
                } finally {
                    reading.release();
                }
            });
        }
        List<Future<Metadata>> results = readers.invokeAll(reads);
        for (int i = 0; i < keys.size(); i++) {
            try {
                Metadata read = results.get(i).get();
                if (read != null) {
                    synchronized (cache) {
                        cache.put(keys.get(i), new Cached(read, now));
                    }
                }
            } catch (ExecutionException e) {
                LOG.debugf("reading %s failed: %s", keys.get(i), e.getCause());
            }
        }
    }

    /** The metadata of {@code ref}'s object: cached, or read now (outside the cache's guard). */
    Metadata of(Occurrence.Involved ref) throws InterruptedException {
        Key key = keyOf(ref);
        if (key == null) {
            return Metadata.NONE;
        }
        Cached cached;
        synchronized (cache) {
            cached = cache.get(key);
        }
        long now = System.nanoTime();
        if (fresh(cached, ref, now)) {
            return cached.metadata();
        }
        Metadata read = read(key);
        if (read != null) {
            synchronized (cache) {
                cache.put(key, new Cached(read, now));
            }
            return read;
        }
        return Metadata.NONE;
    }

    private static Key keyOf(Occurrence.Involved ref) {
        if (ref == null || ref.kind() == null || ref.name() == null || ref.name().isEmpty()) {
            return null;
        }
        String apiVersion = ref.apiVersion() == null || ref.apiVersion().isEmpty() ? "v1" : ref.apiVersion();
        String namespace = ref.namespace() == null || ref.namespace().isEmpty() ? null : ref.namespace();
        return new Key(apiVersion, ref.kind(), namespace, ref.name());
    }

    /** Cached, not older than the TTL, and of the same object (not one recreated under the same name). */
    private boolean fresh(Cached cached, Occurrence.Involved ref, long now) {
        return cached != null && now - cached.readAtNanos() < ttlNanos
                && (ref.uid() == null || cached.metadata().uid() == null || ref.uid().equals(cached.metadata().uid()));
    }

    /** The object's metadata, {@link Metadata#NONE} if it is gone or unreadable for good, null after repeated transient failures. */
    private Metadata read(Key key) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                var resources = client.genericKubernetesResources(key.apiVersion(), key.kind());
                GenericKubernetesResource object = key.namespace() == null ? resources.withName(key.name()).get()
                        : resources.inNamespace(key.namespace()).withName(key.name()).get();
                return object == null ? Metadata.NONE : metadataOf(object);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 403 || e.getCode() == 401) {
                    if (forbiddenKinds.add(key.apiVersion() + "/" + key.kind())) {
                        LOG.warnf("cannot read %s %s objects (%d): events about them go out without labels and annotations; grant get on them",
                                key.apiVersion(), key.kind(), e.getCode());
                    }
                    return Metadata.NONE;
                }
                if (e.getCode() == 404 || e.getCode() == 400 || e.getCode() == 0 && e.getCause() == null) {
                    return Metadata.NONE; // gone, or a kind the API server does not serve
                }
                if (attempt >= ATTEMPTS) {
                    meters.enrichFailures().increment();
                    LOG.debugf("cannot read %s %s/%s after %d attempts: %s", key.kind(), key.namespace(), key.name(), attempt, e.getMessage());
                    return null;
                }
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS) {
                    meters.enrichFailures().increment();
                    LOG.debugf("cannot read %s %s/%s after %d attempts: %s", key.kind(), key.namespace(), key.name(), attempt, e.getMessage());
                    return null;
                }
            }
            Thread.sleep(50L << attempt);
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }

    private Metadata metadataOf(GenericKubernetesResource object) {
        var meta = object.getMetadata();
        Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        if (!annotations.isEmpty() && dropAnnotations.stream().anyMatch(annotations::containsKey)) {
            annotations = new HashMap<>(annotations);
            annotations.keySet().removeAll(dropAnnotations);
        }
        return new Metadata(meta.getUid(), meta.getLabels() == null ? Map.of() : Map.copyOf(meta.getLabels()), Map.copyOf(annotations));
    }
}
