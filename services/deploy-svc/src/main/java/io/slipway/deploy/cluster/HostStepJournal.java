package io.slipway.deploy.cluster;

import static io.slipway.deploy.cluster.ClusterRows.bound;
import static io.slipway.deploy.cluster.ClusterRows.context;
import static io.slipway.deploy.cluster.ClusterRows.now;
import static io.slipway.deploy.cluster.ClusterRows.session;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.deploy.HostStepCompleted;
import io.slipway.events.deploy.HostStepFailed;
import io.slipway.events.deploy.HostStepStarted;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Objects;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The step journal's rows: each start, completion and failure of a host's step under a revision is its
 * {@code deploy_host_step} row, the host's last step (and error), and a {@code HostStep*} event, in one transaction.
 */
@ApplicationScoped
public class HostStepJournal {
    private final Outbox outbox;

    HostStepJournal(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Where a step stands: the journal entry's key and what it records. */
    private record Entry(String cluster, long generation, String worker, String ip, String step, String revision,
                         HostStepRecord.State state, String detail, long bytesSent) {
    }

    @WithTransaction
    public Uni<Void> started(String cluster, long generation, String worker, String ip, String step, String revision) {
        return write(new Entry(cluster, generation, worker, ip, step, revision, HostStepRecord.State.Started, null, 0), (h, r) -> {
            h.step = step;
            return HostStepStarted.newBuilder().setCluster(cluster).setHost(ip).setStep(step).setGeneration(generation)
                    .setAt(r.updatedAt).build();
        });
    }

    @WithTransaction
    public Uni<Void> completed(String cluster, long generation, String worker, String ip, String step, String revision, String detail,
                               long bytesSent, boolean skipped, long durationMillis) {
        return write(new Entry(cluster, generation, worker, ip, step, revision, HostStepRecord.State.Completed, detail, bytesSent), (h, r) -> {
            h.step = step;
            h.error = null;
            return HostStepCompleted.newBuilder().setCluster(cluster).setHost(ip).setStep(step).setGeneration(generation)
                    .setDetail(Objects.requireNonNullElse(detail, "")).setBytesSent(bytesSent).setSkipped(skipped)
                    .setDurationMillis(durationMillis).setAt(r.updatedAt).build();
        });
    }

    @WithTransaction
    public Uni<Void> failed(String cluster, long generation, String worker, String ip, String step, String revision, String reason,
                            boolean transientFault) {
        String bounded = bound(reason);
        return write(new Entry(cluster, generation, worker, ip, step, revision, HostStepRecord.State.Failed, bounded, 0), (h, r) -> {
            h.step = step;
            h.error = bounded;
            return HostStepFailed.newBuilder().setCluster(cluster).setHost(ip).setStep(step).setGeneration(generation)
                    .setReason(bounded).setTransientFault(transientFault).setAt(r.updatedAt).build();
        });
    }

    /** Writes {@code e}'s row; {@code apply} updates the host's row and gives the event. */
    private Uni<Void> write(Entry e, BiFunction<ClusterHostRecord, HostStepRecord, SpecificRecord> apply) {
        String id = HostStepRecord.id(e.cluster(), e.ip(), e.step(), e.revision());
        return session().chain(s -> s.find(Cluster.class, e.cluster())
                .chain(c -> s.find(ClusterHostRecord.class, ClusterHostRecord.id(e.cluster(), e.ip()))
                        .chain(h -> s.find(HostStepRecord.class, id).chain(existing -> write(s, c, h, existing, e, apply)))));
    }

    private Uni<Void> write(Mutiny.Session s, Cluster c, ClusterHostRecord h, HostStepRecord existing, Entry e,
                            BiFunction<ClusterHostRecord, HostStepRecord, SpecificRecord> apply) {
        if (c == null || !e.worker().equals(c.worker)) {
            return Uni.createFrom().failure(new ClaimLost(e.cluster(), e.worker(), c == null ? null : c.worker));
        }
        HostStepRecord r = existing != null ? existing : new HostStepRecord();
        r.id = HostStepRecord.id(e.cluster(), e.ip(), e.step(), e.revision());
        r.cluster = e.cluster();
        r.ip = e.ip();
        r.step = e.step();
        r.revision = e.revision();
        r.state = e.state();
        r.detail = e.detail();
        r.bytesSent = e.bytesSent();
        r.generation = e.generation();
        r.updatedAt = now();
        SpecificRecord event = apply.apply(h != null ? h : new ClusterHostRecord(), r);
        if (h != null) {
            h.updatedAt = r.updatedAt;
        }
        Uni<Void> persist = existing == null ? s.persist(r) : Uni.createFrom().voidItem();
        return persist.chain(() -> outbox.append(e.cluster(), event, context(c))).replaceWithVoid();
    }
}
