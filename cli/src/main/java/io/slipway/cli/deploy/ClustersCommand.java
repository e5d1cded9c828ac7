package io.slipway.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.api.PlatformOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway clusters}: NAME IMAGE STATE HOSTS MESSAGE. */
@Command(name = "clusters", mixinStandardHelpOptions = true, description = "List clusters.")
public final class ClustersCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Override
    public Integer call() {
        JsonNode list = platform.client().get("/api/v1/deploy/clusters");
        System.out.printf("%-20s %-40s %-10s %-6s %s%n", "NAME", "IMAGE", "STATE", "HOSTS", "MESSAGE");
        for (JsonNode c : list) {
            System.out.printf("%-20s %-40s %-10s %-6d %s%n", c.path("name").asText(), c.path("image").asText(), c.path("state").asText(),
                    c.path("hosts").size(), c.path("message").asText(""));
        }
        return 0;
    }

    /** One cluster with its hosts, as {@code slipway status CLUSTER} shows it. */
    static void print(JsonNode c) {
        System.out.printf("cluster %s: %s - %s%n", c.path("name").asText(), c.path("state").asText(), c.path("message").asText(""));
        System.out.printf("image   %s (%s)%n", c.path("image").asText(), c.path("imageDigest").asText("not installed"));
        System.out.printf("%-15s %-12s %-8s %-10s %s%n", "HOST", "ROLES", "STATE", "STEP", "ERROR");
        for (JsonNode h : c.path("hosts")) {
            StringBuilder roles = new StringBuilder();
            h.path("roles").forEach(r -> roles.append(roles.isEmpty() ? "" : ",").append(r.asText()));
            System.out.printf("%-15s %-12s %-8s %-10s %s%n", h.path("ip").asText(), roles, h.path("state").asText(),
                    h.path("step").asText(""), h.path("error").isNull() ? "" : h.path("error").asText(""));
        }
    }
}
