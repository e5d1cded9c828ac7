package io.slipway.cli.events;

import picocli.CommandLine.Command;

/** {@code slipway events}: tools that read the event backbone directly. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Read Slipway events from Kafka.",
        subcommands = TailCommand.class)
public final class EventsCommand {
}
