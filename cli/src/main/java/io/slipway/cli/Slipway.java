package io.slipway.cli;

import io.slipway.cli.deploy.ApplyCommand;
import io.slipway.cli.deploy.ClustersCommand;
import io.slipway.cli.deploy.DeleteCommand;
import io.slipway.cli.deploy.JoinCommand;
import io.slipway.cli.deploy.ResetCommand;
import io.slipway.cli.deploy.SecretCommand;
import io.slipway.cli.deploy.RunCommand;
import io.slipway.cli.dist.DistCommand;
import io.slipway.cli.events.EventsCommand;
import io.slipway.cli.gateway.GatewayCommand;
import io.slipway.cli.infra.InfraCommand;
import io.slipway.cli.image.BuildCommand;
import io.slipway.cli.image.ImagesCommand;
import io.slipway.cli.image.LoadCommand;
import io.slipway.cli.image.LoginCommand;
import io.slipway.cli.image.PullCommand;
import io.slipway.cli.image.PushCommand;
import io.slipway.cli.image.SaveCommand;
import io.slipway.cli.image.SyncCommand;
import io.slipway.cli.image.InspectCommand;
import io.slipway.cli.image.RmiCommand;
import io.slipway.cli.image.TagCommand;
import io.slipway.cli.replay.DlqCommand;
import io.slipway.cli.replay.ReplayCommand;
import io.slipway.cli.stack.DownCommand;
import io.slipway.cli.stack.ServiceControl;
import io.slipway.cli.stack.StatusCommand;
import io.slipway.cli.stack.UpCommand;
import io.slipway.cli.token.KeysCommand;
import io.slipway.cli.token.TokenCommand;
import io.slipway.cli.workload.ComponentsCommand;
import io.slipway.cli.workload.WorkloadsCommand;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code slipway} command. */
@Command(name = "slipway", mixinStandardHelpOptions = true, version = "slipway " + Slipway.VERSION,
        description = "Cluster images, workloads and Kubernetes events as event-driven services.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, TokenCommand.class, EventsCommand.class,
                BuildCommand.class, ImagesCommand.class, InspectCommand.class, TagCommand.class, RmiCommand.class,
                PushCommand.class, PullCommand.class, SaveCommand.class, LoadCommand.class, LoginCommand.class, SyncCommand.class,
                RunCommand.class, ApplyCommand.class, JoinCommand.class, DeleteCommand.class, ResetCommand.class, ClustersCommand.class,
                SecretCommand.class,
                InfraCommand.class, WorkloadsCommand.class, ComponentsCommand.class, ReplayCommand.class, DlqCommand.class,
                ServiceControl.Stop.class, ServiceControl.Start.class,
                GatewayCommand.class, KeysCommand.class, DistCommand.class,
                CommandLine.HelpCommand.class})
public final class Slipway {

    /** The project version, as the parent pom has it (the images' default tag). */
    public static final String VERSION = "0.1.0-SNAPSHOT";

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Slipway());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserError || e instanceof IllegalStateException || e instanceof UncheckedIOException
                    || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("slipway: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }
}
