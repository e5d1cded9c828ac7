package io.slipway.cli.stack;

import io.slipway.cli.StackOptions;
import io.slipway.cli.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway stop SERVICE} and {@code slipway start SERVICE}: keep one service of the running stack stopped (its
 * routes answer 503, its consumer groups have no member, so {@code slipway replay} may move them), then start it again on
 * its port. The request goes to the {@code up} process as a file under the data directory ({@link StackLayout#stopRequest}).
 */
public final class ServiceControl {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(250);

    private ServiceControl() {
    }

    /** What both commands take: the service, and the stack's data directory. */
    abstract static class ServiceCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SERVICE", description = "build-svc, deploy-svc, event-svc, infra-svc or workload-svc.")
        String service;

        @Mixin
        StackOptions stackOptions;
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop one service of the running stack and keep it stopped (until slipway start), e.g. to replay its consumer groups.")
    public static final class Stop extends ServiceCommand {
        @Override
        public Integer call() {
            StackFile.State state = stackOptions.requireRunning();
            StackFile.Service before = service(state, service);
            if (before.stopped()) {
                System.out.println(service + " is already stopped; slipway start " + service + " starts it again.");
                return 0;
            }
            write(stackOptions.layout(), service, true);
            await(stackOptions.layout(), service, s -> s.stopped() && !StackFile.alive(before.pid()), "stop");
            System.out.println(service + " stopped: its routes answer 503 and its consumer groups have no member (slipway replay may move"
                    + " them). slipway start " + service + " starts it again.");
            return 0;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a service that slipway stop stopped, and wait until it is ready.")
    public static final class Start extends ServiceCommand {
        @Override
        public Integer call() {
            StackFile.State state = stackOptions.requireRunning();
            StackFile.Service before = service(state, service);
            if (!before.stopped()) {
                System.out.println(service + " is not stopped (slipway status shows it).");
                return 0;
            }
            write(stackOptions.layout(), service, false);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
            await(stackOptions.layout(), service, s -> !s.stopped() && StackFile.alive(s.pid()) && ServiceProcess.isHealthy(client, URI.create(s.url())),
                    "start");
            System.out.println(service + " started and ready.");
            return 0;
        }
    }

    private static StackFile.Service service(StackFile.State state, String name) {
        return state.services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new UserError("no service " + name + " in the stack; there: "
                        + String.join(", ", state.services().stream().map(StackFile.Service::name).toList())));
    }

    private static void write(StackLayout layout, String service, boolean stop) {
        try {
            if (stop) {
                Files.createDirectories(layout.stopRequest(service).getParent());
                Files.writeString(layout.stopRequest(service), "stopped by slipway stop\n");
            } else {
                Files.deleteIfExists(layout.stopRequest(service));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot " + (stop ? "write " : "remove ") + layout.stopRequest(service) + ": " + e.getMessage(), e);
        }
    }

    private static void await(StackLayout layout, String service, Predicate<StackFile.Service> done, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            StackFile.State state = StackFile.read(layout).filter(s -> StackFile.liveUpProcess(s).isPresent())
                    .orElseThrow(() -> new UserError("the stack on " + layout.dataDir() + " stopped while " + service + " was to " + what));
            if (done.test(service(state, service))) {
                return;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + service + " to " + what, e);
            }
        }
        throw new IllegalStateException(service + " did not " + what + " within " + DEADLINE.toSeconds() + " s; see "
                + layout.log(service) + " and slipway status");
    }
}
