package io.slipway.cli.events;

import io.slipway.cli.StackOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --bootstrap-servers}, else the running local stack's Kafka: for the commands that work on Kafka directly. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka (default: the running stack's, from stack.json).")
    String bootstrapServers;

    @Mixin
    StackOptions stack;

    public String servers() {
        return bootstrapServers != null ? bootstrapServers : stack.requireRunning().kafka().bootstrapServers();
    }

    /** Whether Kafka was named on the command line, so it need not be the local stack's. */
    public boolean named() {
        return bootstrapServers != null;
    }

    public StackOptions stack() {
        return stack;
    }
}
