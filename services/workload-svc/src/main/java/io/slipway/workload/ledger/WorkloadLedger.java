package io.slipway.workload.ledger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.slipway.backbone.BlockingCalls;
import io.slipway.backbone.EventContext;
import io.slipway.backbone.outbox.Outbox;
import io.slipway.events.workload.WorkloadTransitioned;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every observable transition of a workload as an event: compares an {@link Observation} with the ledger of what was
 * seen before and, in one transaction, updates the ledger and appends one {@code WorkloadTransitioned} per change to
 * the outbox. Level-based, so a controller that crashed after changing a pod still reports the change on its next
 * look, and never twice. Entries are cached per workload (one controller writes them: the leader).
 */
@ApplicationScoped
public class WorkloadLedger implements TransitionRecorder {
    private final Outbox outbox;
    private final String cluster;
    private final Map<String, Map<String, String>> cache = new ConcurrentHashMap<>();

    WorkloadLedger(Outbox outbox, @ConfigProperty(name = "slipway.workload.cluster", defaultValue = "default") String cluster) {
        this.outbox = outbox;
        this.cluster = cluster;
    }

    /**
     * The ledger of another cluster's workloads: the same table and outbox, its transitions named by {@code name}, and a
     * cache of its own.
     */
    public TransitionRecorder inCluster(String name) {
        return new WorkloadLedger(outbox, name);
    }

    @Override
    public List<Transition> record(Observation now) {
        Map<String, String> seen = cache.computeIfAbsent(now.uid(), uid -> BlockingCalls.await(() -> load(uid)));
        LedgerDiff diff = LedgerDiff.between(seen, now);
        if (diff.entries().isEmpty()) {
            return diff.transitions();
        }
        BlockingCalls.await(() -> Panache.withTransaction(() -> write(now, diff.entries(), diff.transitions())));
        seen.putAll(diff.entries());
        return diff.transitions();
    }

    /** Drops what is cached of a workload that is gone (its rows stay, as its history). */
    @Override
    public void forget(String uid) {
        cache.remove(uid);
    }

    private Uni<Map<String, String>> load(String uid) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "select entry, value from workload_ledger where workload_uid = ?1", Object[].class)
                .setParameter(1, uid).getResultList())).map(rows -> {
                    Map<String, String> seen = new ConcurrentHashMap<>();
                    for (Object[] row : rows) {
                        seen.put((String) row[0], (String) row[1]);
                    }
                    return seen;
                });
    }

    private Uni<Void> write(Observation now, Map<String, String> next, List<Transition> transitions) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, String> e : next.entrySet()) {
            chain = chain.chain(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                            "insert into workload_ledger (workload_uid, entry, value) values (?1, ?2, ?3)"
                                    + " on conflict (workload_uid, entry) do update set value = excluded.value, updated_at = now()")
                    .setParameter(1, now.uid()).setParameter(2, e.getKey()).setParameter(3, e.getValue()).executeUpdate()))
                    .replaceWithVoid();
        }
        Instant at = Instant.now();
        for (Transition t : transitions) {
            WorkloadTransitioned event = WorkloadTransitioned.newBuilder().setUid(now.uid()).setCluster(cluster).setKind(now.kind())
                    .setNamespace(Objects.toString(now.namespace(), "")).setName(now.name()).setGeneration(now.generation())
                    .setTransition(t.transition()).setPod(t.pod()).setPodUid(t.podUid()).setRevision(t.revision())
                    .setReason(clip(t.reason())).setObservedAt(at).build();
            chain = chain.chain(() -> outbox.append(now.uid(), event, EventContext.newRequest(null))).replaceWithVoid();
        }
        return chain;
    }

    private static String clip(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
    }
}
