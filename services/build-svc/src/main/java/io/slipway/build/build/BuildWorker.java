package io.slipway.build.build;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BlockingCalls;
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
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
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
    private volatile boolean stopping;

    BuildWorker(BuildServiceConfig config, BuildData data, BuildRequests builds, RegistryAccess registries, BuildMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.builds = builds;
        this.workerId = hostName() + "/" + ProcessHandle.current().pid() + "/" + ManagementFactory.getRuntimeMXBean().getStartTime();
        this.data = data;
        this.registries = registries;
    }

    void onStart(@Observes StartupEvent event) {
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::loop, "build-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        threads.forEach(Thread::interrupt);
    }

    /** A build was requested in this instance: look now instead of at the next poll. */
    public void wake() {
        threads.forEach(LockSupport::unpark);
    }

    private void loop() {
        boolean requeued = false;
        while (!stopping) {
            try {
                if (!requeued) {
                    int n = await(() -> builds.requeueAbandoned(workerId));
                    if (n > 0) {
                        LOG.infof("requeued %d build(s) a stopped build-svc left unfinished", n);
                    }
                    requeued = true;
                }
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
                    await(() -> builds.layerBuilt(build.id, event));
                    metrics.layer(event);
                }

                @Override
                public void imagesCached(ImagesCached event) {
                    await(() -> builds.imagesCached(build.id, event));
                    metrics.imagesCached(event);
                }

                @Override
                public void pushed(ImagePushed event) {
                    await(() -> builds.pushed(build.id, event));
                    metrics.pushed(event);
                }
            });
            await(() -> builds.succeeded(build.id, digest));
            metrics.finished("succeeded", Duration.ofNanos(System.nanoTime() - started));
            write(log, "build succeeded: " + build.image + " " + digest);
            LOG.infof("build %s (%s) succeeded: %s", build.id, build.image, digest);
        } catch (Exception e) {
            String reason = BuildRun.reason(e);
            LOG.infof("build %s (%s) failed: %s", build.id, build.image, reason);
            try (Writer log = data.logs().open(build.id)) {
                write(log, "build failed: " + reason);
            } catch (IOException ignored) {
                // the reason is in the BuildFailed event and the build row either way
            }
            await(() -> builds.failed(build.id, reason));
            metrics.finished("failed", Duration.ofNanos(System.nanoTime() - started));
        } finally {
            BuildRun.deleteQuietly(work);
        }
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

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
