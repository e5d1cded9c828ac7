package io.slipway.build.sync;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.build.SyncJobFinished;
import io.slipway.events.build.SyncJobRequested;
import io.slipway.oci.sync.SyncReport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** SyncJob transitions, each with its event in the same transaction. */
@ApplicationScoped
public class SyncJobs {
    private final Outbox outbox;

    SyncJobs(Outbox outbox) {
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<SyncJob> request(String redactedRules, String requestedBy, EventContext context) {
        SyncJob job = new SyncJob();
        job.id = UUID.randomUUID().toString();
        job.state = SyncJob.State.Requested;
        job.redactedRules = redactedRules;
        job.requestedBy = requestedBy;
        job.requestedAt = now();
        job.correlationId = context.correlationId();
        SyncJobRequested event = SyncJobRequested.newBuilder().setJobId(job.id).setRules(redactedRules)
                .setRequestedBy(requestedBy).setRequestedAt(job.requestedAt).build();
        return Panache.getSession().chain(s -> s.persist(job)).chain(() -> outbox.append(job.id, event, context)).replaceWith(job);
    }

    @WithTransaction
    public Uni<SyncJob> running(String id) {
        return Panache.getSession().chain(s -> s.find(SyncJob.class, id)).invoke(job -> job.state = SyncJob.State.Running);
    }

    @WithTransaction
    public Uni<SyncJob> finished(String id, SyncReport report, String error) {
        return Panache.getSession().chain(s -> s.find(SyncJob.class, id)).chain(job -> {
            List<String> failures = report == null ? List.of(error)
                    : report.failed().stream().map(SyncReport.Entry::toString).toList();
            job.state = report != null && report.succeeded() ? SyncJob.State.Succeeded : SyncJob.State.Failed;
            job.finishedAt = now();
            job.synced = report == null ? 0 : report.synced().size();
            job.skipped = report == null ? 0 : report.skipped().size();
            job.failedCount = failures.size();
            job.failures = String.join("\n", failures);
            job.bytesCopied = report == null ? 0 : report.blobs().bytesUploaded();
            SyncJobFinished event = SyncJobFinished.newBuilder().setJobId(id).setSynced(job.synced).setSkipped(job.skipped)
                    .setFailed(failures).setBytesCopied(job.bytesCopied).setFinishedAt(job.finishedAt).build();
            return outbox.append(id, event, new EventContext(job.correlationId, null, null)).replaceWith(job);
        });
    }

    /** Jobs a stopped instance left unfinished: run again (copying is idempotent: what arrived is skipped). */
    @WithTransaction
    public Uni<List<SyncJob>> unfinished() {
        return Panache.getSession().chain(s -> s.createQuery("from SyncJob where state in (:a, :b) order by requestedAt", SyncJob.class)
                .setParameter("a", SyncJob.State.Requested).setParameter("b", SyncJob.State.Running).getResultList());
    }

    @WithTransaction
    public Uni<SyncJob> find(String id) {
        return Panache.getSession().chain(s -> s.find(SyncJob.class, id));
    }

    @WithTransaction
    public Uni<List<SyncJob>> list(int limit) {
        return Panache.getSession().chain(s -> s.createQuery("from SyncJob order by requestedAt desc", SyncJob.class)
                .setMaxResults(limit).getResultList());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
