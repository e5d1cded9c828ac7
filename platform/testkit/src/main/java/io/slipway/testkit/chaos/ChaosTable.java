package io.slipway.testkit.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chaos suite's result: one row per fault with how many operations ran through it, how many never reached their
 * end state (lost), how many reached it more than once or left an event id twice on a topic (duplicated), how many
 * deliveries a receiver was offered again and dropped by their idempotency key (redelivered, allowed: at-least-once to
 * the outside world), and how long the platform took to recover. Printed as Markdown, as kept in
 * {@code docs/reliability.md}.
 */
public final class ChaosTable {
    /** One fault's figures; {@code recovery} runs from the fault (or the end of an outage) to the last operation's end. */
    public record Row(String fault, int operations, int lost, int duplicated, int redelivered, Duration recovery, List<String> findings) {
        public Row {
            findings = List.copyOf(findings);
        }

        public boolean clean() {
            return lost == 0 && duplicated == 0;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public synchronized void add(Row row) {
        rows.add(row);
    }

    public synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    public synchronized int operations() {
        return rows.stream().mapToInt(Row::operations).sum();
    }

    /** The findings of every row that lost or duplicated something, one per line (empty when all are clean). */
    public synchronized String failures() {
        StringBuilder out = new StringBuilder();
        for (Row r : rows) {
            if (!r.clean()) {
                r.findings().forEach(f -> out.append(r.fault()).append(": ").append(f).append(System.lineSeparator()));
            }
        }
        return out.toString();
    }

    public synchronized String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| fault | operations | lost | duplicated | redelivered (dropped by key) | time to recover |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            out.append("| ").append(r.fault()).append(" | ").append(r.operations()).append(" | ").append(r.lost()).append(" | ")
                    .append(r.duplicated()).append(" | ").append(r.redelivered()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f s", r.recovery().toMillis() / 1000.0)).append(" |\n");
        }
        int ops = 0;
        int lost = 0;
        int dup = 0;
        int redelivered = 0;
        for (Row r : rows) {
            ops += r.operations();
            lost += r.lost();
            dup += r.duplicated();
            redelivered += r.redelivered();
        }
        out.append("| **all** | ").append(ops).append(" | ").append(lost).append(" | ").append(dup).append(" | ").append(redelivered)
                .append(" | |\n");
        return out.toString();
    }
}
