package io.slipway.cli.deploy;

import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway delete [CLUSTER] (-a | -m/-n ip,...) [--force]}: the whole cluster, or some hosts, with clean-up. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a cluster (-a), also after a failed install, or remove hosts from it.")
public final class DeleteCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", arity = "0..1", defaultValue = "default", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"-a", "--all"}, description = "Delete the whole cluster.")
    boolean all;

    @Option(names = {"-m", "--masters"}, split = ",", paramLabel = "IP")
    List<String> masters = new ArrayList<>();

    @Option(names = {"-n", "--nodes"}, split = ",", paramLabel = "IP")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--force", description = "Drop hosts that cannot be reached, without their clean-up.")
    boolean force;

    @Option(names = "--detach")
    boolean detach;

    @Override
    public Integer call() {
        if (all == (!masters.isEmpty() || !nodes.isEmpty())) {
            throw new UserError("give either -a (the whole cluster) or the hosts to remove (-m/-n)");
        }
        PlatformClient client = platform.client();
        var view = all ? client.delete("/api/v1/deploy/clusters/" + cluster + (force ? "?force=true" : ""))
                : client.post("/api/v1/deploy/clusters/" + cluster + "/remove" + (force ? "?force=true" : ""),
                Map.of("masters", masters, "nodes", nodes));
        return DeployProgress.started(client, view, detach, System.out);
    }
}
