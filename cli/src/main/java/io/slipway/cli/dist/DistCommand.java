package io.slipway.cli.dist;

import picocli.CommandLine.Command;

/** {@code slipway dist}: what it takes to run Slipway elsewhere than on this machine. */
@Command(name = "dist", mixinStandardHelpOptions = true, subcommands = DistImagesCommand.class,
        description = "Build Slipway's own distribution: container images of the services and the gateway.")
public final class DistCommand {
}
