package io.slipway.workload;

import io.slipway.workload.ledger.LedgerDiff;
import io.slipway.workload.ledger.Observation;
import io.slipway.workload.ledger.TransitionRecorder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The ledger's diff without its database, for tests that run controllers outside the service. */
public final class InMemoryRecorder implements TransitionRecorder {
    private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
    public final List<Transition> published = new CopyOnWriteArrayList<>();

    @Override
    public List<Transition> record(Observation now) {
        Map<String, String> entries = seen.computeIfAbsent(now.uid(), u -> new ConcurrentHashMap<>());
        LedgerDiff diff = LedgerDiff.between(entries, now);
        entries.putAll(diff.entries());
        published.addAll(diff.transitions());
        return diff.transitions();
    }

    @Override
    public void forget(String uid) {
        seen.remove(uid);
    }
}
