package io.slipway.cli.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway infra create|ls|status|delete}: pools of nodes from infra-svc's providers. */
@Command(name = "infra", mixinStandardHelpOptions = true, description = "Pools of nodes from providers (local, static, aws).",
        subcommands = {InfraCommand.Create.class, InfraCommand.Ls.class, InfraCommand.Status.class, InfraCommand.Delete.class})
public final class InfraCommand {
    private static final String POOLS = "/api/v1/infra/pools";

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a pool: --role master=3 --role node=6:t3.large:ami-123")
    static final class Create implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id (lower-case letters, digits, '-').")
        String pool;

        @Option(names = "--provider", required = true, description = "A provider configured in infra-svc (e.g. local).")
        String provider;

        @Option(names = "--role", required = true, paramLabel = "ROLE=COUNT[:SIZE[:IMAGE]]", description = "Nodes of one role; repeat per role.")
        List<String> roles;

        @Option(names = "--wait", description = "Follow the pool's progress until it is Ready or Failed.")
        boolean wait;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("poolId", pool);
            body.put("provider", provider);
            body.put("roles", parseRoles(roles));
            PlatformClient client = platform.client();
            JsonNode created = client.post(POOLS, body);
            System.out.printf("pool %s requested (%s)%n", created.path("id").asText(), created.path("state").asText());
            return wait ? follow(client, pool) : 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List pools.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Override
        public Integer call() {
            JsonNode list = platform.client().get(POOLS);
            System.out.printf("%-24s %-12s %-10s %-6s %s%n", "POOL", "PROVIDER", "STATE", "NODES", "MESSAGE");
            for (JsonNode p : list) {
                int nodes = 0;
                for (JsonNode r : p.path("roles")) {
                    nodes += r.path("count").asInt();
                }
                System.out.printf("%-24s %-12s %-10s %-6d %s%n", p.path("id").asText(), p.path("provider").asText(), p.path("state").asText(),
                        nodes, p.path("failureReason").asText(""));
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A pool and its nodes.")
    static final class Status implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Parameters(index = "0", paramLabel = "POOL")
        String pool;

        @Override
        public Integer call() {
            print(platform.client().get(POOLS + "/" + pool));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a pool and release its nodes.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        PlatformOptions platform;

        @Parameters(index = "0", paramLabel = "POOL")
        String pool;

        @Option(names = "--wait", description = "Wait until every node is released.")
        boolean wait;

        @Override
        public Integer call() {
            PlatformClient client = platform.client();
            client.delete(POOLS + "/" + pool);
            System.out.printf("pool %s: deleting%n", pool);
            return wait ? follow(client, pool) : 0;
        }
    }

    /** Follows the pool's events until it settles; 0 when Ready or Deleted, 1 when Failed. */
    static int follow(PlatformClient client, String pool) {
        String[] last = {""};
        client.follow(POOLS + "/" + pool + "/events", data -> {
            JsonNode v = readTree(data);
            JsonNode c = v.path("counts");
            String line = String.format("%s: %s  ready %d/%d  running %d  launched %d  creating %d  failed %d",
                    pool, v.path("state").asText(), c.path("ready").asInt(), total(v), c.path("running").asInt(),
                    c.path("launched").asInt(), c.path("creating").asInt(), c.path("failed").asInt());
            System.out.println(line);
            last[0] = v.path("state").asText();
            if (v.path("state").asText().equals("Failed")) {
                System.out.println("reason: " + v.path("failureReason").asText());
            }
        });
        return last[0].equals("Failed") ? 1 : 0;
    }

    static void print(JsonNode p) {
        System.out.printf("pool %s (%s): %s%s%n", p.path("id").asText(), p.path("provider").asText(), p.path("state").asText(),
                p.path("failureReason").isTextual() ? " - " + p.path("failureReason").asText() : "");
        System.out.printf("%-28s %-10s %-22s %-16s %s%n", "NODE", "STATE", "INSTANCE", "ADDRESS", "MESSAGE");
        for (JsonNode n : p.path("nodes")) {
            String address = n.path("address").isTextual() ? n.path("address").asText() + ":" + n.path("sshPort").asInt() : "";
            System.out.printf("%-28s %-10s %-22s %-16s %s%n", n.path("id").asText(), n.path("state").asText(),
                    n.path("instanceId").asText(""), address, n.path("failureReason").asText(""));
        }
    }

    static List<Map<String, Object>> parseRoles(List<String> specs) {
        List<Map<String, Object>> roles = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--role " + spec + ": expected ROLE=COUNT[:SIZE[:IMAGE]], e.g. master=3");
            }
            String[] parts = spec.substring(eq + 1).split(":", 3);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("role", spec.substring(0, eq));
            try {
                r.put("count", Integer.parseInt(parts[0]));
            } catch (NumberFormatException e) {
                throw new UserError("--role " + spec + ": '" + parts[0] + "' is not a count");
            }
            if (parts.length > 1 && !parts[1].isEmpty()) {
                r.put("size", parts[1]);
            }
            if (parts.length > 2 && !parts[2].isEmpty()) {
                r.put("image", parts[2]);
            }
            roles.add(r);
        }
        return roles;
    }

    private static int total(JsonNode v) {
        int n = 0;
        for (JsonNode r : v.path("roles")) {
            n += r.path("count").asInt();
        }
        return n;
    }

    private static JsonNode readTree(String data) {
        try {
            return PlatformClient.mapper().readTree(data);
        } catch (java.io.IOException e) {
            throw new UserError("infra-svc sent an event that is not JSON: " + e.getMessage());
        }
    }
}
