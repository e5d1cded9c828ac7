package io.slipway.cli.deploy;

import io.slipway.cli.api.PlatformClient;

/** {@code slipway status CLUSTER [--watch]}: the cluster and its hosts, or its progress followed to the end. */
public final class ClusterStatus {
    private ClusterStatus() {
    }

    public static int show(PlatformClient client, String cluster) {
        var view = client.get("/api/v1/deploy/clusters/" + cluster);
        ClustersCommand.print(view);
        return switch (view.path("state").asText()) {
            case "Degraded" -> 2;
            case "Failed" -> 1;
            default -> 0;
        };
    }

    public static int watch(PlatformClient client, String cluster) {
        return DeployProgress.follow(client, cluster, System.out);
    }
}
