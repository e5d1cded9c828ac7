package io.slipway.build.build;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.work.LeaseKeeper;
import io.slipway.backbone.work.WorkerIdentity;
import io.slipway.build.BuildData;
import io.slipway.build.BuildServiceConfig;
import io.slipway.build.registry.RegistryAccess;
import io.slipway.build.log.BuildLogs;
import io.slipway.events.build.ImagePushed;
import io.slipway.events.build.ImagesCached;
import io.slipway.events.build.LayerBuilt;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs requested builds: each worker thread claims the oldest Requested build in the database (so several instances
 * share the work without a coordinator), runs it off the event loop, and records every step as an event.
 */
@ApplicationScoped
public class BuildWorker {
    private static final Logger LOG = Logger.getLogger(BuildWorker.class);

    private final BuildServiceConfig config;
    private final BuildRequests builds;
    private final String workerId;
    private final BuildData data;
    private final RegistryAccess registries;
    private final BuildMetrics metrics;
    private final List<Thread> threads = new ArrayList<>();
    /** Keeps this instance's leases; apart from the workers, so that waking them to claim work does not also tick it. */
    private Thread lease;
    private volatile boolean stopping;

    BuildWorker(BuildServiceConfig config, BuildData data, BuildRequests builds, RegistryAccess registries, BuildMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.builds = builds;
        this.workerId = WorkerIdentity.current();
        this.data = data;
        this.registries = registries;
    }

    void onStart(@Observes StartupEvent event) {
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::loop, "build-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        lease = LeaseKeeper.thread("build-lease", config.lease(), () -> stopping, this::keepLeases);
        threads.forEach(Thread::start);
        lease.start();
    }

    /**
     * Stops the workers and the lease thread with the application. Without it they outlived a stopped application: in a
     * test JVM, the threads of an earlier application called into the next one while it started and deadlocked its
     * start (a clean CI run's BuildFlowTest hung; the observer had been lost in an earlier change).
     */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        threads.forEach(Thread::interrupt);
    }

    /**
     * Every quarter of the lease: renews this instance's builds, then requeues the builds of workers that are gone (no
     * heartbeat for a lease, or a process of this host that has exited: a restarted build-svc requeues its predecessor's
     * builds at once). Every instance does it; row locks make each requeue happen once.
     */
    private void keepLeases() {
        await(() -> builds.heartbeat(workerId));
        List<Build> requeued = await(() -> builds.requeueGone(Instant.now().minus(config.lease()), WorkerIdentity::exitedHere));
        for (Build b : requeued) {
            LOG.infof("requeued build %s (%s): %s", b.id, b.image, b.lastStep);
        }
        if (!requeued.isEmpty()) {
            wake();
        }
    }

    /** A build was requested in this instance: look now instead of at the next poll. */
    public void wake() {
        threads.forEach(LockSupport::unpark);
    }

    private void loop() {
        while (!stopping) {
            try {
                Build build = await(() -> builds.claimNext(workerId));
                if (build == null) {
                    LockSupport.parkNanos(config.pollInterval().toNanos());
                } else {
                    run(build);
                }
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                // Database or outbox not ready yet: the build stays Requested, the next attempt picks it up.
                LOG.warnf("build worker cannot claim builds yet: %s", e.getMessage());
                LockSupport.parkNanos(config.pollInterval().multipliedBy(5).toNanos());
            }
        }
    }

    private void run(Build build) {
        LOG.infof("build %s (%s) started", build.id, build.image);
        Path work = data.dataDir().resolve("work").resolve(build.id);
        long started = System.nanoTime();
        try (Writer log = data.logs().open(build.id)) {
            BuildRun run = new BuildRun(build, data.contexts(), data.builder(), data.store(), work, config, line -> write(log, line), OfflineImageCaches::forBuild, registries::open);
            String digest = run.execute(new BuildRun.Progress() {
                @Override
                public void layerBuilt(LayerBuilt event) {
                    await(() -> builds.layerBuilt(build.id, workerId, event));
                    metrics.layer(event);
                }

                @Override
                public void imagesCached(ImagesCached event) {
                    await(() -> builds.imagesCached(build.id, workerId, event));
                    metrics.imagesCached(event);
                }

                @Override
                public void pushed(ImagePushed event) {
                    await(() -> builds.pushed(build.id, workerId, event));
                    metrics.pushed(event);
                }
            });
            await(() -> builds.succeeded(build.id, workerId, digest));
            metrics.finished("succeeded", Duration.ofNanos(System.nanoTime() - started));
            write(log, "build succeeded: " + build.image + " " + digest);
            LOG.infof("build %s (%s) succeeded: %s", build.id, build.image, digest);
        } catch (LeaseLost lost) {
            LOG.warnf("build %s (%s) stopped: %s", build.id, build.image, lost.getMessage());
        } catch (Exception e) {
            if (leaseLost(e)) {
                LOG.warnf("build %s (%s) stopped: %s", build.id, build.image, e.getMessage());
                return;
            }
            String reason = BuildRun.reason(e);
            LOG.infof("build %s (%s) failed: %s", build.id, build.image, reason);
            try (Writer log = data.logs().open(build.id)) {
                write(log, "build failed: " + reason);
            } catch (IOException ignored) {
                // the reason is in the BuildFailed event and the build row either way
            }
            try {
                await(() -> builds.failed(build.id, workerId, reason));
            } catch (LeaseLost lost) {
                LOG.warnf("build %s (%s) failed, but is no longer this worker's: %s", build.id, build.image, lost.getMessage());
            }
            metrics.finished("failed", Duration.ofNanos(System.nanoTime() - started));
        } finally {
            BuildRun.deleteQuietly(work);
        }
    }

    private static boolean leaseLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LeaseLost) {
                return true;
            }
        }
        return false;
    }

    private static void write(Writer log, String line) {
        try {
            log.write(BuildLogs.line(line));
            log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build log: " + e.getMessage(), e);
        }
    }

    private static <T> T await(Supplier<Uni<T>> action) {
        return BlockingCalls.await(action);
    }
}
