package io.slipway.cli.workload;

import picocli.CommandLine.Command;

/** {@code slipway workloads}: the Kruise workloads workload-svc keeps rolling out. */
@Command(name = "workloads", mixinStandardHelpOptions = true, description = "Show Kruise workloads' rollouts (workload-svc).",
        subcommands = WorkloadStatusCommand.class)
public final class WorkloadsCommand {
}
