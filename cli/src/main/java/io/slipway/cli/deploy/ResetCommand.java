package io.slipway.cli.deploy;

import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code slipway reset CLUSTER HOST}: clean a host of the cluster; it stays desired and the next apply reinstalls it. */
@Command(name = "reset", mixinStandardHelpOptions = true, description = "Clean one host of a cluster (the next apply installs it again).")
public final class ResetCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Parameters(index = "1", paramLabel = "HOST")
    String host;

    @Override
    public Integer call() {
        PlatformClient client = platform.client();
        var view = client.post("/api/v1/deploy/clusters/" + cluster + "/hosts/" + host + "/reset", java.util.Map.of());
        int rc = DeployProgress.started(client, view, false, System.out);
        return rc == 2 ? 0 : rc; // a reset cluster is Degraded by design until the next apply
    }
}
