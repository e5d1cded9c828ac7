package io.slipway.cli;

import io.slipway.cli.stack.ProjectHome;
import io.slipway.cli.stack.StackFile;
import io.slipway.cli.stack.StackLayout;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir} and {@code --home}, shared by the commands that work on a local stack. */
public final class StackOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the stack keeps its data (default: <project root>/.slipway, else ./.slipway).")
    Path dataDir;

    @Option(names = "--home", paramLabel = "DIR",
            description = "The Slipway project root holding services/ (default: found above the working directory or the CLI jar).")
    Path home;

    public StackLayout layout() {
        if (dataDir != null) {
            return new StackLayout(dataDir);
        }
        return new StackLayout(ProjectHome.find(home).map(h -> h.resolve(".slipway")).orElse(Path.of(".slipway")));
    }

    public Path home() {
        return ProjectHome.require(home);
    }

    /** The running stack's description, or a message telling the user that none runs here. */
    public StackFile.State requireRunning() {
        StackLayout layout = layout();
        return StackFile.read(layout).filter(s -> StackFile.liveUpProcess(s).isPresent())
                .orElseThrow(() -> new UserError("no stack is running on " + layout.dataDir() + " (start one with: slipway up"
                        + (dataDir != null ? " --data-dir " + dataDir : "") + ")"));
    }
}
