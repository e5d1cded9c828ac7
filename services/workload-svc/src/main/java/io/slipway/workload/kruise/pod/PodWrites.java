package io.slipway.workload.kruise.pod;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Carries out a reconcile's writes to the API server concurrently (JOSDK runs one reconcile per resource at a time, so
 * a large rollout would otherwise issue its pod writes one by one). Every write is conditional on the resourceVersion
 * the controller read: a 409 means someone else wrote first, and the write is dropped and retried from a fresh read
 * on the next reconcile, as is a 404 for an object already gone.
 */
public final class PodWrites implements AutoCloseable {
    private static final int CONCURRENCY = 64;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore permits = new Semaphore(CONCURRENCY);

    /** The outcome of a batch: what was written, and how many writes lost a race and wait for the next look. */
    public record Result<T>(List<T> written, int conflicts) {
    }

    public <T> Result<T> run(List<Supplier<T>> writes) {
        List<Future<T>> futures = new ArrayList<>(writes.size());
        AtomicInteger conflicts = new AtomicInteger();
        for (Supplier<T> write : writes) {
            futures.add(executor.submit(() -> {
                permits.acquire();
                try {
                    return write.get();
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409 || e.getCode() == 404) {
                        conflicts.incrementAndGet();
                        return null;
                    }
                    throw e;
                } catch (LostRace e) {
                    conflicts.incrementAndGet();
                    return null;
                } finally {
                    permits.release();
                }
            }));
        }
        List<T> written = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<T> f : futures) {
            try {
                T t = f.get();
                if (t != null) {
                    written.add(t);
                }
            } catch (java.util.concurrent.ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing pods", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return new Result<>(written, conflicts.get());
    }

    /**
     * A JSON patch guarded by {@code test} operations (see {@link InPlaceUpdate#patch}): the API server answers 422 when
     * a test fails, that is when someone changed what the write was planned from, and the write is then a lost race
     * like a 409, retried from a fresh read on the next look.
     */
    public static <T> T guarded(Supplier<T> patch) {
        try {
            return patch.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422) {
                throw new LostRace(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Opens or closes the pod's {@code InPlaceUpdateReady} gate with a guarded JSON patch of its status subresource
     * ({@link InPlaceUpdate#gatePatch}): a few hundred bytes instead of the whole pod, and no copy of it to build.
     */
    public static Pod gate(KubernetesClient client, Pod pod, boolean open, String reason, Instant now) {
        // resource(pod), not withName: fabric8 would GET the pod first to have an item to patch
        return guarded(() -> client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), InPlaceUpdate.gatePatch(pod, open, reason, now)));
    }

    /** A guarded write whose guard failed. */
    public static final class LostRace extends RuntimeException {
        LostRace(String message) {
            super(message, null, false, false);
        }
    }

    public static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
