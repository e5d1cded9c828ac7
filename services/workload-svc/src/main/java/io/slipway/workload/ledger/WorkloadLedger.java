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
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Every observable transition of a workload as an event: compares an {@link Observation} with the ledger of what was
 * seen before and, in one transaction, updates the ledger and appends one {@code WorkloadTransitioned} per change to
 * the outbox. Level-based, so a controller that crashed after changing a pod still reports the change on its next
 * look, and never twice. Entries are cached per workload (one controller writes them: the leader).
 */
@ApplicationScoped
public class WorkloadLedger implements TransitionRecorder {
    private static final int ROWS_PER_STATEMENT = 500;
    private final Outbox outbox;
    private final String cluster;
    private final Map<String, Map<String, String>> cache = new ConcurrentHashMap<>();

    WorkloadLedger(Outbox outbox, @ConfigProperty(name = "slipway.workload.cluster", defaultValue = "default") String cluster) {
        this.outbox = outbox;
        this.cluster = cluster;
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
        List<Map.Entry<String, String>> rows = List.copyOf(next.entrySet());
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<Map.Entry<String, String>> batch = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            chain = chain.chain(() -> Panache.getSession().chain(s -> upsert(s, now.uid(), batch))).replaceWithVoid();
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

    /** One statement for up to {@link #ROWS_PER_STATEMENT} entries: a 1,000-pod rollout is a few round trips, not 1,000. */
    private static Uni<Integer> upsert(Mutiny.Session session, String uid, List<Map.Entry<String, String>> batch) {
        StringBuilder sql = new StringBuilder("insert into workload_ledger (workload_uid, entry, value) values ");
        for (int i = 0; i < batch.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?1, ?").append(2 + 2 * i).append(", ?").append(3 + 2 * i).append(')');
        }
        sql.append(" on conflict (workload_uid, entry) do update set value = excluded.value, updated_at = now()");
        var query = session.createNativeQuery(sql.toString());
        query.setParameter(1, uid);
        for (int i = 0; i < batch.size(); i++) {
            query.setParameter(2 + 2 * i, batch.get(i).getKey());
            query.setParameter(3 + 2 * i, batch.get(i).getValue());
        }
        return query.executeUpdate();
    }

    private static String clip(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
    }
}
