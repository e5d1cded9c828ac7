package io.slipway.cli.stack;

import io.slipway.cli.StackOptions;
import io.slipway.security.Role;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway up}: starts the local stack and keeps it running until Ctrl-C, SIGTERM or {@code slipway down}. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start PostgreSQL, Kafka, the five services and the gateway; keeps running until Ctrl-C or `slipway down`.")
public final class UpCommand implements Callable<Integer> {
    private static final Duration TOKEN_TTL = Duration.ofHours(12);

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Gateway port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--start-timeout", defaultValue = "120", paramLabel = "SECONDS",
            description = "How long the services may take to become healthy (default: ${DEFAULT-VALUE}).")
    int startTimeoutSeconds;

    @Option(names = "--service-jvm-option", paramLabel = "OPTION",
            description = "Add a JVM option to every service's command line (repeatable), e.g. --service-jvm-option=-Xmx512m; "
                    + "SERVICE:OPTION adds it to one, e.g. infra-svc:-Dslipway.infra.workers=8.")
    List<String> serviceJvmOptions = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        PrintStream out = System.out;
        Stack.Options options = new Stack.Options(stackOptions.layout().dataDir(), stackOptions.home(), port,
                Duration.ofSeconds(startTimeoutSeconds), serviceJvmOptions, out);
        Stack stack = Stack.prepare(options);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.getAndSet(true)) {
                return;
            }
            out.println("Stopping the stack ...");
            stack.close();
            out.println("Stopped.");
            stopped.countDown();
        };
        Thread hook = new Thread(stop, "slipway-up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopInOrderOn(stop, "TERM", "INT");
        try {
            stack.bringUp(options);
        } catch (RuntimeException e) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return 130; // Ctrl-C or SIGTERM while starting: the hook stops what was started
            }
            throw e;
        }
        printSummary(out, stack);
        stopped.await();
        return 0;
    }

    /**
     * Shutdown hooks run concurrently, and Kafka and PostgreSQL register their own: on SIGTERM (what {@code down}
     * sends) they would stop under the services' feet. Handling the signal ourselves stops the services first; the
     * hooks then find everything stopped.
     */
    @SuppressWarnings("restriction")
    private static void stopInOrderOn(Runnable stop, String... signals) {
        for (String name : signals) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    stop.run();
                    System.exit(0);
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // signal not available here: the shutdown hook still stops everything, in parallel
            }
        }
    }

    private static void printSummary(PrintStream out, Stack stack) {
        StackFile.State s = stack.state();
        out.println();
        out.println("Slipway is up (data in " + s.dataDir() + ", pid " + s.pid() + ")");
        out.printf("  %-14s %s%n", "gateway", s.gateway().url());
        for (StackFile.Service svc : s.services()) {
            out.printf("  %-14s %s   (pid %d, log %s)%n", svc.name(), svc.url(), svc.pid(), svc.log());
        }
        out.printf("  %-14s %s   (pid %d)%n", "kafka", s.kafka().bootstrapServers(), s.kafka().pid());
        out.printf("  %-14s 127.0.0.1:%d   (pid %d, user postgres)%n", "postgresql", s.postgres().port(),
                s.postgres().pid());
        out.println();
        out.println("Operator token (valid " + TOKEN_TTL.toHours() + " h):");
        out.println(stack.token(Role.operator, TOKEN_TTL));
        out.println();
        out.println("Press Ctrl-C, or run `slipway down`, to stop.");
        out.flush();
    }
}
