package io.slipway.workload.ledger;

import io.slipway.workload.ledger.TransitionRecorder.Transition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The transitions between what the ledger holds of a workload ({@code seen}: entry to value) and a new look at it,
 * and the entries that change. Pure, so the ledger and a benchmark's in-memory recorder find the same transitions.
 */
public record LedgerDiff(List<Transition> transitions, Map<String, String> entries) {
    public static LedgerDiff between(Map<String, String> seen, Observation now) {
        Map<String, String> next = new HashMap<>();
        List<Transition> transitions = new ArrayList<>();
        if (now.revision() != null && !seen.containsKey("revision/" + now.revision())) {
            transitions.add(new Transition("RevisionCreated", null, null, now.revision(), null));
            next.put("revision/" + now.revision(), "");
        }
        Observation.Words words = now.words();
        now.pods().forEach((pod, p) -> {
            String before = seen.get("pod/" + pod);
            String value = p.uid() + " " + Objects.toString(p.revision(), "");
            if (before == null || before.isEmpty()) {
                add(transitions, words.created(), pod, p.uid(), p.revision());
            } else if (!before.equals(value)) {
                String oldUid = before.substring(0, before.indexOf(' '));
                add(transitions, oldUid.equals(p.uid()) ? words.updatedInPlace() : words.recreated(), pod, p.uid(), p.revision());
            } else {
                return;
            }
            next.put("pod/" + pod, value);
        });
        for (Map.Entry<String, String> e : seen.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("pod/") && !e.getValue().isEmpty() && !now.pods().containsKey(k.substring(4))) {
                add(transitions, words.deleted(), k.substring(4), e.getValue().substring(0, e.getValue().indexOf(' ')), null);
                next.put(k, "");
            }
        }
        now.marks().forEach((key, mark) -> {
            if (!mark.value().equals(seen.get("mark/" + key))) {
                transitions.add(new Transition(mark.transition(), null, null, now.revision(), mark.reason()));
                next.put("mark/" + key, mark.value());
            }
        });
        if (now.phase() != null && !now.phase().equals(seen.get("phase"))) {
            transitions.add(new Transition(now.phase(), null, null, now.revision(), now.reason()));
            next.put("phase", now.phase());
        }
        return new LedgerDiff(transitions, next);
    }

    private static void add(List<Transition> transitions, String name, String pod, String podUid, String revision) {
        if (name != null) {
            transitions.add(new Transition(name, pod, podUid, revision, null));
        }
    }
}
