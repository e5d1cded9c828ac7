package io.slipway.cli.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway workloads status NAMESPACE/KIND/NAME [--cluster C] [--watch]}: where a workload's rollout stands, or its progress
 * followed until it settles. Exit codes with --watch: 0 finished, 2 stuck, 3 paused, 1 any other failure.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a workload's rollout: revisions, replicas, pods not yet updated; --watch follows it until it settles.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown; with --watch: the rollout finished", "1:an error (bad argument, no such workload, platform unreachable)",
                "2:with --watch: the rollout is stuck (Blocked: it cannot go on without a change)",
                "3:with --watch: the rollout is paused"})
public final class WorkloadStatusCommand implements Callable<Integer> {
    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "WORKLOAD",
            description = "NAMESPACE/KIND/NAME, or KIND/NAME with -n; KIND: statefulset|asts|sts, broadcastjob|bcj, sidecarset.")
    String workload;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "The namespace of KIND/NAME (default: default).")
    String namespace;

    @Option(names = "--cluster", paramLabel = "CLUSTER",
            description = "The cluster, as workload-svc names it (slipway.workload.cluster or one of slipway.workload.clusters; default: its home cluster).")
    String cluster;

    @Option(names = {"-w", "--watch"}, description = "Follow the rollout, a progress bar per change, until it settles.")
    boolean watch;

    @Override
    public Integer call() {
        WorkloadRef ref = WorkloadRef.parse(workload, namespace);
        if (cluster != null && !WorkloadRef.DNS_LABEL.matcher(cluster).matches()) {
            throw new UserError("--cluster '" + cluster + "' is not a cluster name (lowercase letters, digits and '-', at most 63)");
        }
        String query = cluster == null ? "" : "?cluster=" + cluster;
        PlatformClient client = platform.client();
        JsonNode view = client.find(ref.path() + query).orElseThrow(() -> notFound(client, ref));
        return RolloutWatch.showOrFollow(client, view, ref.path() + "/stream" + query, ref, watch);
    }

    /** workload-svc answers 404 both for a missing workload and for a kind it has no view of: tell them apart. */
    private static UserError notFound(PlatformClient client, WorkloadRef ref) {
        List<String> served = client.find("/api/v1/workloads")
                .map(kinds -> StreamSupport.stream(kinds.spliterator(), false).map(JsonNode::asText).toList()).orElse(List.of());
        if (!served.isEmpty() && !served.contains(ref.kind().plural)) {
            return new UserError("workload-svc does not show " + ref.kind().plural + " (it shows " + String.join(", ", served) + ")");
        }
        return new UserError("no " + ref);
    }
}
