package io.slipway.event.sink;

import io.slipway.event.route.EventView;
import io.slipway.events.kube.KubeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Events a rate limit held back, summarized as one message: how many, of which types, reasons, namespaces and kinds,
 * and the first ones line by line. Every held-back event is counted in it, so a burst is never dropped unseen; each
 * one is also still in Kafka for a replay.
 */
public record Digest(List<SinkEvent> events, String limit, int lines) {
    private static final int TOP = 10;

    public Digest {
        events = List.copyOf(events);
    }

    public int count() {
        return events.size();
    }

    public Map<String, Long> by(Function<KubeEvent, String> key) {
        Map<String, Long> counts = events.stream().collect(Collectors.groupingBy(e -> String.valueOf(key.apply(e.event())), LinkedHashMap::new,
                Collectors.counting()));
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    public Instant firstSeen() {
        return events.stream().map(e -> e.event().getLastSeen()).min(Comparator.naturalOrder()).orElse(null);
    }

    public Instant lastSeen() {
        return events.stream().map(e -> e.event().getLastSeen()).max(Comparator.naturalOrder()).orElse(null);
    }

    /** The title line: the count first, so it is what a phone notification shows. */
    public String title() {
        return count() + " Kubernetes events held back by the rate limit (" + limit + ")";
    }

    /**
     * The digest as chat text within {@code maxBytes} (UTF-8): the summary always, then as many event lines as fit, up
     * to {@link #lines}, then how many more there are.
     */
    public String text(boolean markdown, int maxBytes) {
        StringBuilder s = new StringBuilder();
        s.append(markdown ? "### " : "").append(title()).append('\n');
        s.append(markdown ? "- " : "").append("From ").append(firstSeen()).append(" to ").append(lastSeen()).append('\n');
        s.append(markdown ? "- " : "").append("Types: ").append(top(by(KubeEvent::getType))).append('\n');
        s.append(markdown ? "- " : "").append("Reasons: ").append(top(by(KubeEvent::getReason))).append('\n');
        s.append(markdown ? "- " : "").append("Namespaces: ").append(top(by(EventView::namespace))).append('\n');
        s.append(markdown ? "- " : "").append("Kinds: ").append(top(by(KubeEvent::getInvolvedKind))).append('\n');
        int shown = 0;
        StringBuilder list = new StringBuilder();
        for (SinkEvent e : events) {
            if (shown >= lines) {
                break;
            }
            String line = (markdown ? "- " : "• ") + line(e.event()) + "\n";
            int budget = maxBytes - bytes(s) - bytes(list) - bytes(line) - 120;
            if (budget < 0) {
                break;
            }
            list.append(line);
            shown++;
        }
        if (shown > 0) {
            s.append(markdown ? "\n" : "").append(shown == count() ? "Events:" : "First " + shown + ":").append('\n').append(list);
        }
        if (shown < count()) {
            s.append("… and ").append(count() - shown).append(" more (all of them are in Kafka; a replay sends them again)");
        }
        return s.toString();
    }

    /** The digest as a JSON-ready map, with {@code rendered} standing for each event (a layout or the document). */
    public Map<String, Object> document(List<Object> rendered) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("digest", true);
        doc.put("count", count());
        doc.put("rateLimit", limit);
        doc.put("firstSeen", String.valueOf(firstSeen()));
        doc.put("lastSeen", String.valueOf(lastSeen()));
        doc.put("types", by(KubeEvent::getType));
        doc.put("reasons", by(KubeEvent::getReason));
        doc.put("namespaces", by(EventView::namespace));
        doc.put("kinds", by(KubeEvent::getInvolvedKind));
        doc.put("events", rendered);
        return doc;
    }

    private static String line(KubeEvent e) {
        String message = e.getMessage() == null ? "" : e.getMessage().replace('\n', ' ');
        if (message.length() > 160) {
            message = message.substring(0, 157) + "...";
        }
        return "[" + e.getType() + "] " + e.getReason() + " " + e.getInvolvedKind() + " " + EventView.namespace(e) + "/" + e.getInvolvedName()
                + (e.getCount() > 1 ? " (x" + e.getCount() + ")" : "") + ": " + message;
    }

    private static String top(Map<String, Long> counts) {
        String shown = counts.entrySet().stream().limit(TOP).map(en -> en.getKey() + " " + en.getValue()).collect(Collectors.joining(", "));
        long rest = counts.values().stream().skip(TOP).mapToLong(Long::longValue).sum();
        return rest == 0 ? shown : shown + ", others " + rest;
    }

    private static int bytes(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
