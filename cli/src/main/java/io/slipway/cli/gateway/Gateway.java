package io.slipway.cli.gateway;

import com.sun.net.httpserver.HttpServer;
import io.slipway.cli.console.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one HTTP entry point: a reverse proxy that routes {@code /api/v1/...} by path prefix ({@link Routes}), answers
 * {@code /healthz} with the services' aggregate health and serves the web console ({@link Console}) at {@code /}. The
 * local stack binds it to 127.0.0.1; {@code slipway gateway} (the gateway's container) to any address.
 */
public final class Gateway implements AutoCloseable {

    /** Requests served at once; an event stream holds its thread for as long as the client listens. */
    private static final int THREADS = 64;

    private final HttpServer server;
    private final ExecutorService workers;
    private final HttpClient client;

    private Gateway(HttpServer server, ExecutorService workers, HttpClient client) {
        this.server = server;
        this.workers = workers;
        this.client = client;
    }

    /**
     * Binds {@code host:port} right away (so a busy port is reported before anything else starts); call
     * {@link #start(Map)} once the services are known.
     */
    public static Gateway bind(String host, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
            ExecutorService workers = Executors.newFixedThreadPool(THREADS, named("slipway-gateway-"));
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            server.setExecutor(workers);
            return new Gateway(server, workers, client);
        } catch (BindException e) {
            throw new IllegalStateException("the gateway cannot listen on " + host + ":" + port
                    + ": the port is in use (choose another with --port)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the gateway cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts serving; {@code serviceUrls} maps each service name to its base URL. {@code /livez} answers 200 for as long
     * as the gateway itself serves (a container's liveness probe: a service being down must not restart the gateway);
     * {@code /healthz} is the services' aggregate (readiness).
     */
    public void start(Map<String, URI> serviceUrls) {
        Map<String, List<URI>> instances = new java.util.LinkedHashMap<>();
        serviceUrls.forEach((service, url) -> instances.put(service, List.of(url)));
        startReplicated(instances);
    }

    /**
     * Starts serving services of one or more instances each ({@code instances}: name to the instances' base URLs);
     * requests go to a service's instances in turn ({@link Upstreams}). Health and the console ask each service's first.
     */
    public void startReplicated(Map<String, List<URI>> instances) {
        Map<String, URI> serviceUrls = new java.util.LinkedHashMap<>();
        instances.forEach((service, urls) -> serviceUrls.put(service, urls.getFirst()));
        server.createContext("/livez", exchange -> {
            try (exchange) {
                Json.send(exchange, 200, Map.of("status", "UP"));
            }
        });
        server.createContext("/healthz", new HealthHandler(serviceUrls, client));
        ProxyHandler proxy = new ProxyHandler(Routes.replicated(instances), client);
        server.createContext("/api", proxy);
        // the web console owns "/" and /console/...; whatever else reaches it goes to the proxy, as before
        server.createContext("/", new Console(serviceUrls, client, proxy));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        client.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
