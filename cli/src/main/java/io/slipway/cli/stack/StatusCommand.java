package io.slipway.cli.stack;

import io.slipway.cli.api.PlatformClient;
import io.slipway.cli.api.PlatformOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway status}: one line per component of the local stack with its pid, address and whether it is up (exit 1
 * if any is down); {@code slipway status CLUSTER [--watch]}: a cluster's state and hosts, or its progress as it happens.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the state of the stack's components, or of a cluster (CLUSTER, --watch to follow it).")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    PlatformOptions platform;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "A cluster deploy-svc manages.")
    String cluster;

    @Option(names = {"-w", "--watch"}, description = "Follow the cluster's running operation, host by host, until it settles.")
    boolean watch;

    /** {@code restarts} and {@code lastExit} for what {@code up} restarts when it dies: Kafka, PostgreSQL, services. */
    record Row(String component, long pid, String address, boolean up, String restarts, String lastExit, boolean stopped) {
        Row(String component, long pid, String address, boolean up) {
            this(component, pid, address, up, "-", "-", false);
        }

        Row(String component, long pid, String address, boolean up, int restarts, String lastExit, boolean gaveUp) {
            this(component, pid, address, up, restarts, lastExit, gaveUp, false);
        }

        Row(String component, long pid, String address, boolean up, int restarts, String lastExit, boolean gaveUp, boolean stopped) {
            this(component, pid, address, up, String.valueOf(restarts), (gaveUp ? "GAVE UP, " : "") + (lastExit == null ? "-" : lastExit),
                    stopped);
        }

        String state() {
            return stopped ? "STOPPED" : up ? "UP" : "DOWN";
        }
    }

    @Override
    public Integer call() {
        if (cluster != null) {
            PlatformClient client = platform.client();
            if (watch) {
                return io.slipway.cli.deploy.ClusterStatus.watch(client, cluster);
            }
            return io.slipway.cli.deploy.ClusterStatus.show(client, cluster);
        }
        StackLayout layout = platform.stack().layout();
        Optional<StackFile.State> found = StackFile.read(layout);
        if (found.isEmpty()) {
            System.out.println("No stack is running on " + layout.dataDir() + ".");
            return 1;
        }
        StackFile.State s = found.get();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("up", s.pid(), "-", StackFile.alive(s.pid())));
        rows.add(new Row("gateway", s.pid(), s.gateway().url(), StackFile.alive(s.pid()) && answers(client, URI.create(s.gateway().url() + "/healthz"))));
        StackFile.Postgres pg = s.postgres();
        rows.add(new Row("postgresql", pg.pid(), "127.0.0.1:" + pg.port(), StackFile.alive(pg.pid()) && accepts("127.0.0.1", pg.port()),
                pg.restarts(), pg.lastExit(), pg.gaveUp()));
        StackFile.Kafka kafka = s.kafka();
        String[] hostPort = kafka.bootstrapServers().split(":");
        rows.add(new Row("kafka", kafka.pid(), kafka.bootstrapServers(), StackFile.alive(kafka.pid()) && accepts(hostPort[0], Integer.parseInt(hostPort[1])),
                kafka.restarts(), kafka.lastExit(), kafka.gaveUp()));
        for (StackFile.Service svc : s.services()) {
            rows.add(new Row(svc.name(), svc.pid(), svc.url(), StackFile.alive(svc.pid()) && ServiceProcess.isHealthy(client, URI.create(svc.url())),
                    svc.restarts(), svc.lastExit(), svc.gaveUp(), svc.stopped()));
        }
        System.out.printf("%-14s %-8s %-28s %-7s %-8s %s%n", "COMPONENT", "PID", "URL/PORT", "STATE", "RESTARTS", "LAST EXIT");
        rows.forEach(r -> System.out.printf("%-14s %-8d %-28s %-7s %-8s %s%n", r.component(), r.pid(), r.address(), r.state(),
                r.restarts(), r.lastExit()));
        if (s.services().stream().anyMatch(StackFile.Service::gaveUp) || pg.gaveUp() || kafka.gaveUp()) {
            System.out.println("A component that crashed too often is not restarted again: see its log in " + layout.logs()
                    + ", then slipway down && slipway up.");
        }
        if (rows.stream().anyMatch(Row::stopped)) {
            System.out.println("A STOPPED service was stopped with slipway stop; slipway start <service> starts it again.");
        }
        // a service kept stopped on purpose is not a failure of the stack
        return rows.stream().allMatch(r -> r.up() || r.stopped()) ? 0 : 1;
    }

    /** The gateway answers at all (its own /healthz says 503 while a service is down; that is reported per service). */
    private static boolean answers(HttpClient client, URI url) {
        try {
            client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
