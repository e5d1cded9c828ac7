package io.slipway.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import io.slipway.cli.stack.StackFile;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway replay rebuild SERVICE [--swap]}: the service rebuilds its read models from their topics into a fresh
 * schema, compares them row by row with the live ones and prints the difference, or "identical"; {@code --swap} puts
 * the rebuilt rows in place of the live ones. The service does the work (POST /api/v1/admin/read-models/rebuild), with
 * the same code its listeners apply events with.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Rebuild a service's read models from their topics into a fresh schema and compare them, row by row, with the live ones.",
                "Prints each difference (row and column, live and rebuilt values), or \"identical\". --swap replaces the live rows with the"
                        + " rebuilt ones. A service that keeps no read model of other services' events says so."})
public final class RebuildCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SERVICE", description = "build-svc, deploy-svc, event-svc, infra-svc or workload-svc.")
    String service;

    @Option(names = "--swap", description = "Replace the live rows with the rebuilt ones (while the live tables are held against writes).")
    boolean swap;

    @Option(names = "--service-url", paramLabel = "URL",
            description = "The service's own URL (default: the local stack's); its admin API is not behind the gateway.")
    String serviceUrl;

    @Mixin
    PlatformOptions platform;

    @Override
    public Integer call() {
        String url = serviceUrl;
        if (url == null) {
            StackFile.State state = platform.stack().requireRunning();
            url = state.services().stream().filter(s -> s.name().equals(service)).findFirst()
                    .orElseThrow(() -> new UserError("the local stack has no service " + service + "; it runs "
                            + state.services().stream().map(StackFile.Service::name).toList()))
                    .url();
        }
        PlatformClient client = new PlatformClient(url, platform.bearer(serviceUrl != null));
        JsonNode declared = client.get("/api/v1/admin/read-models");
        PrintStream out = System.out;
        if (declared.isEmpty()) {
            out.println(service + " keeps no read model of other services' events: its tables are its own aggregates, written with"
                    + " their events (see services/" + service + "/DESIGN.md). Nothing to rebuild.");
            return 0;
        }
        JsonNode report = client.post("/api/v1/admin/read-models/rebuild" + (swap ? "?swap=true" : ""), null);
        return print(report, out);
    }

    static int print(JsonNode report, PrintStream out) {
        for (JsonNode m : report.path("models")) {
            out.printf("%s: %s read as %s: %d record(s), %d applied, %d already applied, %d not events (dead-lettered live)%n",
                    m.path("name").asText(), m.path("topic").asText(), m.path("group").asText(), m.path("records").asLong(),
                    m.path("applied").asLong(), m.path("duplicates").asLong(), m.path("skipped").asLong());
            m.path("failures").forEach(f -> out.println("  failed: " + f.asText()));
        }
        for (JsonNode t : report.path("tables")) {
            out.printf("table %s: %d row(s) live, %d rebuilt%n", t.path("table").asText(), t.path("liveRows").asInt(), t.path("rebuiltRows").asInt());
            list(out, t, "onlyLive", "only live (no event explains it)");
            list(out, t, "onlyRebuilt", "missing live (its events were not applied)");
            list(out, t, "differing", "differs");
        }
        boolean identical = report.path("identical").asBoolean();
        out.println(identical ? "identical" : "different");
        if (report.path("swapped").asBoolean()) {
            out.println("swapped: the live read models are now the rebuilt ones");
        }
        return identical || report.path("swapped").asBoolean() ? 0 : 1;
    }

    private static void list(PrintStream out, JsonNode table, String field, String what) {
        int count = table.path(field + "Count").asInt();
        if (count == 0) {
            return;
        }
        out.printf("  %d row(s) %s%n", count, what);
        table.path(field).forEach(line -> out.println("    " + line.asText()));
        if (count > table.path(field).size()) {
            out.printf("    ... and %d more%n", count - table.path(field).size());
        }
    }
}
