package io.slipway.cli.stack;

import io.slipway.cli.StackOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code slipway down}: asks the {@code up} process to stop (SIGTERM) and waits until it is gone. */
@Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the stack started by `slipway up`.")
public final class DownCommand implements Callable<Integer> {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Mixin
    StackOptions stackOptions;

    @Override
    public Integer call() {
        StackLayout layout = stackOptions.layout();
        Optional<StackFile.State> state = StackFile.read(layout);
        Optional<ProcessHandle> up = state.flatMap(StackFile::liveUpProcess);
        if (up.isEmpty()) {
            StaleStack.clear(layout, System.out);
            System.out.println("No stack is running on " + layout.dataDir() + ".");
            return 0;
        }
        long started = System.nanoTime();
        System.out.println("Stopping the stack on " + layout.dataDir() + " (slipway up, pid " + up.get().pid() + ") ...");
        up.get().destroy();
        if (!StaleStack.awaitExit(up.get(), DEADLINE)) {
            System.err.println("slipway: the up process (pid " + up.get().pid() + ") is still running after "
                    + DEADLINE.toSeconds() + " s; see the logs in " + layout.logs());
            return 1;
        }
        System.out.printf("Stopped in %.1f s.%n", (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
