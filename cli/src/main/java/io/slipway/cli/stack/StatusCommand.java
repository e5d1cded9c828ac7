package io.slipway.cli.stack;

import io.slipway.cli.StackOptions;
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

/** {@code slipway status}: one line per component with its pid, address and whether it is up; exit 1 if any is down. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of each component of the stack.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    StackOptions stackOptions;

    record Row(String component, long pid, String address, boolean up) {
    }

    @Override
    public Integer call() {
        StackLayout layout = stackOptions.layout();
        Optional<StackFile.State> found = StackFile.read(layout);
        if (found.isEmpty()) {
            System.out.println("No stack is running on " + layout.dataDir() + ".");
            return 1;
        }
        StackFile.State s = found.get();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("up", s.pid(), "-", alive(s.pid())));
        rows.add(new Row("gateway", s.pid(), s.gateway().url(), alive(s.pid()) && answers(client, URI.create(s.gateway().url() + "/healthz"))));
        rows.add(new Row("postgresql", s.postgres().pid(), "127.0.0.1:" + s.postgres().port(),
                alive(s.postgres().pid()) && accepts("127.0.0.1", s.postgres().port())));
        String[] hostPort = s.kafka().bootstrapServers().split(":");
        rows.add(new Row("kafka", s.kafka().pid(), s.kafka().bootstrapServers(),
                alive(s.kafka().pid()) && accepts(hostPort[0], Integer.parseInt(hostPort[1]))));
        for (StackFile.Service svc : s.services()) {
            rows.add(new Row(svc.name(), svc.pid(), svc.url(), alive(svc.pid()) && ServiceProcess.isHealthy(client, URI.create(svc.url()))));
        }
        System.out.printf("%-14s %-8s %-28s %s%n", "COMPONENT", "PID", "URL/PORT", "STATE");
        rows.forEach(r -> System.out.printf("%-14s %-8d %-28s %s%n", r.component(), r.pid(), r.address(), r.up() ? "UP" : "DOWN"));
        return rows.stream().allMatch(Row::up) ? 0 : 1;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
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
