package io.slipway.cli.workload;

import picocli.CommandLine.Command;

/** {@code slipway components}: the Components workload-svc renders and releases. */
@Command(name = "components", mixinStandardHelpOptions = true, description = "Show Components' releases (workload-svc).",
        subcommands = ComponentStatusCommand.class)
public final class ComponentsCommand {
}
