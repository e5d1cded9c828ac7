package io.slipway.cli.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.cli.UserError;
import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway components status NAMESPACE/NAME [--cluster C] [--watch]}: where a Component stands (phase, release
 * step, pods per revision), or its changes followed until it settles. Exit codes with --watch: 0 Ready, 3 paused (a
 * step waits for resume), 2 aborted or refused, 1 any other failure.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a Component: phase, release, pods not yet on the new revision; --watch follows it until it settles.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown; with --watch: the component is Ready", "1:an error (bad argument, no such component, platform unreachable)",
                "2:with --watch: the release was aborted or the component is refused (Invalid)",
                "3:with --watch: the release waits for resume, promote or abort"})
public final class ComponentStatusCommand implements Callable<Integer> {

    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", paramLabel = "COMPONENT", description = "NAMESPACE/NAME, or NAME with -n.")
    String component;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "The namespace of NAME (default: default).")
    String namespace;

    @Option(names = "--cluster", paramLabel = "CLUSTER", defaultValue = "default",
            description = "The cluster, as workload-svc names it (slipway.workload.cluster or one of slipway.workload.clusters; default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = {"-w", "--watch"}, description = "Follow the component, a progress bar per change, until it settles.")
    boolean watch;

    /** A component as the user names it. */
    record ComponentRef(String cluster, String namespace, String name) {
        String path() {
            return "/api/v1/components/" + cluster + "/" + namespace + "/" + name;
        }

        @Override
        public String toString() {
            return "Component " + namespace + "/" + name + " in cluster " + cluster;
        }
    }

    @Override
    public Integer call() {
        ComponentRef ref = parse();
        PlatformClient client = platform.client();
        JsonNode view = client.find(ref.path()).orElseThrow(() -> new UserError("no " + ref));
        return RolloutWatch.showOrFollow(client, view, ref.path() + "/status", ref, watch);
    }

    private ComponentRef parse() {
        String[] parts = component.split("/", -1);
        String ns;
        String name;
        if (parts.length == 2) {
            ns = parts[0];
            name = parts[1];
            if (namespace != null && !namespace.equals(ns)) {
                throw bad("namespace '" + ns + "' differs from -n " + namespace + "; give it once");
            }
        } else if (parts.length == 1) {
            ns = namespace == null ? WorkloadRef.DEFAULT_NAMESPACE : namespace;
            name = parts[0];
        } else {
            throw bad("expected NAMESPACE/NAME, or NAME with -n NAMESPACE");
        }
        for (String[] f : new String[][]{{"cluster", cluster}, {"namespace", ns}, {"name", name}}) {
            if (!WorkloadRef.DNS_LABEL.matcher(f[1]).matches()) {
                throw bad(f[0] + " '" + f[1] + "' is not a Kubernetes name (lowercase letters, digits and '-', at most 63)");
            }
        }
        return new ComponentRef(cluster, ns, name);
    }

    private UserError bad(String why) {
        return new UserError("component '" + component + "': " + why);
    }
}
