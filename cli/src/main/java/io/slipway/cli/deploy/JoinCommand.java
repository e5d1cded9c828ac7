package io.slipway.cli.deploy;

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

/** {@code slipway join [CLUSTER] -m/-n ip,...}: scale up; a host whose join fails is rolled back, never left a member. */
@Command(name = "join", mixinStandardHelpOptions = true, description = "Add masters or nodes to a cluster.")
public final class JoinCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", arity = "0..1", defaultValue = "default", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"-m", "--masters"}, split = ",", paramLabel = "IP")
    List<String> masters = new ArrayList<>();

    @Option(names = {"-n", "--nodes"}, split = ",", paramLabel = "IP")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--detach")
    boolean detach;

    @Mixin
    HostTrustOptions trust;

    @Override
    public Integer call() {
        PlatformClient client = platform.client();
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("masters", masters, "nodes", nodes));
        List<String> joining = new ArrayList<>(masters);
        joining.addAll(nodes);
        trust.addTo(body, joining);
        var view = client.post("/api/v1/deploy/clusters/" + cluster + "/join", body);
        return DeployProgress.started(client, view, detach, System.out);
    }
}
