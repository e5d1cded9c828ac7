package io.slipway.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.api.PlatformClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Follows a cluster's progress stream and prints one line per host step ({@code 10.0.0.2  distribute  Completed  ...}),
 * then the cluster's final state. Exit codes: 0 Ready or Deleted, 2 Degraded, 1 Failed.
 */
final class DeployProgress {
    private final PrintStream out;
    private String finalState;
    private String finalMessage;

    DeployProgress(PrintStream out) {
        this.out = out;
    }

    static int follow(PlatformClient client, String cluster, PrintStream out) {
        DeployProgress progress = new DeployProgress(out);
        client.follow("/api/v1/deploy/clusters/" + cluster + "/progress", progress::accept);
        return progress.exitCode();
    }

    void accept(String data) {
        JsonNode e;
        try {
            e = PlatformClient.mapper().readTree(data);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        String detail = e.path("detail").isNull() ? "" : e.path("detail").asText("");
        if (e.hasNonNull("host")) {
            out.printf("%-15s %-10s %-9s %s%n", e.path("host").asText(), e.path("step").asText(), e.path("state").asText(), detail).flush();
        } else {
            finalState = e.path("state").asText();
            finalMessage = detail;
            out.printf("cluster %s: %s%s%n", e.path("cluster").asText(), finalState, detail.isEmpty() ? "" : " - " + detail).flush();
        }
    }

    int exitCode() {
        if (finalState == null) {
            return 1;
        }
        return switch (finalState) {
            case "Ready", "Deleted" -> 0;
            case "Degraded" -> 2;
            case "Failed" -> 1;
            default -> 0; // still running (the stream ended with the snapshot of a running operation)
        };
    }

    String finalMessage() {
        return finalMessage;
    }

    /** What a request answered: 202 started an operation (follow it unless detached); 200 means nothing to do. */
    static int started(PlatformClient client, JsonNode view, boolean detach, PrintStream out) {
        String name = view.path("name").asText();
        if (view.path("changed").isBoolean() && !view.path("changed").asBoolean()) {
            out.printf("cluster %s: no changes (%s)%n", name, view.path("state").asText());
            return 0;
        }
        out.printf("cluster %s: %s (generation %d)%n", name, view.path("message").asText(), view.path("generation").asLong());
        if (detach) {
            out.printf("follow it with: slipway status %s --watch%n", name);
            return 0;
        }
        return follow(client, name, out);
    }
}
