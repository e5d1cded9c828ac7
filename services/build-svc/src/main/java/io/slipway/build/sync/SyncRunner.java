package io.slipway.build.sync;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BlockingCalls;
import io.slipway.build.BuildData;
import io.slipway.build.registry.RegistryAccess;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.sync.SyncListener;
import io.slipway.oci.sync.SyncReport;
import io.slipway.oci.sync.SyncRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/** Runs sync jobs one after another on their own thread; their rules (with credentials) are kept 0600 in the data dir. */
@ApplicationScoped
public class SyncRunner {
    private static final Logger LOG = Logger.getLogger(SyncRunner.class);

    private final SyncJobs jobs;
    private final RegistryAccess registries;
    private final Path dir;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sync-jobs");
        t.setDaemon(true);
        return t;
    });

    SyncRunner(SyncJobs jobs, RegistryAccess registries, BuildData data) {
        this.jobs = jobs;
        this.registries = registries;
        this.dir = data.dataDir().resolve("syncs");
    }

    void onStart(@Observes StartupEvent event) {
        executor.execute(() -> {
            try {
                BlockingCalls.await(jobs::unfinished).forEach(job -> executor.execute(() -> run(job.id)));
            } catch (RuntimeException e) {
                LOG.warnf("cannot look for unfinished sync jobs yet: %s", e.getMessage());
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    /** Keeps the rules as given (they may hold passwords) where only this service can read them. */
    public void keepRules(String jobId, String rules) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(jobId + ".yaml");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, rules);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the sync rules: " + e.getMessage(), e);
        }
    }

    public void submit(String jobId) {
        executor.execute(() -> run(jobId));
    }

    private void run(String jobId) {
        Path rulesFile = dir.resolve(jobId + ".yaml");
        Path work = dir.resolve(jobId + ".work");
        SyncReport report = null;
        String error = null;
        try {
            BlockingCalls.await(() -> jobs.running(jobId));
            SyncRules rules = SyncRules.parse(rulesFile);
            try (Registries open = rules.registries(registries.credentials(), registries.tune())) {
                report = new io.slipway.oci.sync.SyncJob(rules, open, Files.createDirectories(work), Duration.ofSeconds(1))
                        .run(SyncListener.NONE);
            }
            LOG.infof("sync job %s: %s", jobId, report.summary());
        } catch (Exception e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.infof("sync job %s failed: %s", jobId, error);
        }
        try {
            SyncReport finalReport = report;
            String finalError = error;
            BlockingCalls.await(() -> jobs.finished(jobId, finalReport, finalError));
            Files.deleteIfExists(rulesFile);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("sync job %s: cannot record its end (it runs again at the next start): %s", jobId, e.getMessage());
        }
    }
}
