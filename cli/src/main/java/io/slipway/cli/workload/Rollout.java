package io.slipway.cli.workload;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One view of a workload's rollout as workload-svc sends it (its {@code WorkloadProgress} JSON), rendered for a person:
 * the summary, the progress bar, and what the rollout's end means as an exit code.
 */
final class Rollout {
    /** The rollout finished: every pod runs the update revision and is ready (a Component: Ready). */
    static final int FINISHED = 0;
    /** The rollout cannot go on by itself (workload-svc's phase Blocked, or any settled phase but Finished and Paused). */
    static final int STUCK = 2;
    /** The rollout waits for someone to resume it. */
    static final int PAUSED = 3;

    private static final int BAR_WIDTH = 10;

    private final JsonNode view;

    Rollout(JsonNode view) {
        this.view = view;
    }

    String phase() {
        return view.path("phase").asText("");
    }

    /** workload-svc ends the stream with the first settled view: the controller saw the newest generation and waits for nothing. */
    boolean settled() {
        return view.path("settled").asBoolean(false);
    }

    int exitCode() {
        return switch (phase()) {
            case "Finished", "Ready" -> FINISHED; // a workload's rollout; a Component
            case "Paused" -> PAUSED;
            default -> STUCK;
        };
    }

    /** {@code [###-------] 1/3 updated, 2 unavailable}: updated against desired; unavailable are desired pods not ready. */
    String bar() {
        int desired = view.path("desired").asInt();
        int updated = view.path("updated").asInt();
        int unavailable = Math.max(0, desired - view.path("ready").asInt());
        int filled = desired <= 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.max(0, updated * BAR_WIDTH / desired));
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + updated + "/" + desired + " updated, " + unavailable
                + " unavailable";
    }

    void printSummary(PrintStream out) {
        String kind = view.path("kind").asText("");
        String namespace = view.path("namespace").asText("");
        out.printf("%s %s%s: %s%n", kind, namespace.isEmpty() || "SidecarSet".equals(kind) ? "" : namespace + "/", view.path("name").asText(),
                phase());
        String message = text("message");
        if (!message.isEmpty()) {
            String label = switch (phase()) {
                case "Paused" -> "paused";
                case "Blocked", "Invalid" -> "stuck";
                case "Aborted" -> "aborted";
                default -> "reason";
            };
            out.printf("  %-11s %s%n", label + ":", message);
        }
        String current = text("currentRevision");
        String update = text("updateRevision");
        out.printf("  %-11s %s%n", "revision:", current.equals(update) ? orDash(update) : orDash(current) + " -> " + orDash(update));
        out.printf("  %-11s %d desired, %d ready, %d updated, %d updated and ready%n", "replicas:", view.path("desired").asInt(),
                view.path("ready").asInt(), view.path("updated").asInt(), view.path("updatedReady").asInt());
        long generation = view.path("generation").asLong();
        long observed = view.path("observedGeneration").asLong();
        out.printf("  %-11s %d%s%n", "generation:", generation, observed < generation ? " (controller has seen " + observed + ")" : "");
        out.printf("  %s%n", bar());
        printPodsNotUpdated(out);
        out.flush();
    }

    private void printPodsNotUpdated(PrintStream out) {
        List<JsonNode> waiting = new ArrayList<>();
        view.path("pods").forEach(p -> {
            if (!p.path("updated").asBoolean()) {
                waiting.add(p);
            }
        });
        if (waiting.isEmpty()) {
            return;
        }
        out.printf("  pods not yet updated (%d):%n", waiting.size());
        for (JsonNode p : waiting) {
            String state = (p.path("ready").asBoolean() ? "ready" : "not ready")
                    + (p.path("updatingInPlace").asBoolean() ? ", updating in place" : "")
                    + (p.path("restarts").asInt() > 0 ? ", " + p.path("restarts").asInt() + " restart(s)" : "");
            out.printf("    %-24s revision %-20s node %-16s %s%n", p.path("name").asText(), orDash(p.path("revision").asText("")),
                    orDash(p.path("node").asText("")), state);
        }
    }

    private String text(String field) {
        return view.path(field).isNull() ? "" : view.path(field).asText("");
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
