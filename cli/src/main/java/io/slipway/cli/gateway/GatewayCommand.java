package io.slipway.cli.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway gateway}: the gateway alone, in the foreground, in front of services that run elsewhere (its
 * container, next to the services' containers). Stops on SIGTERM or SIGINT.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the gateway alone in the foreground: /api/v1/... routed to the services, /healthz their health,"
                + " /livez its own.")
public final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "The address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "The port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--upstream", paramLabel = "SERVICE=URL", required = true,
            description = "A service's base URL, e.g. build-svc=http://build-svc:8080; at least one for each of build-svc, deploy-svc,"
                    + " event-svc, infra-svc, workload-svc. A service named again is another instance of it: requests take its"
                    + " instances in turn, passing over one that refuses connections.")
    List<String> upstreams;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, List<URI>> services = upstreams(upstreams);
        Gateway gateway = Gateway.bind(host, port);
        gateway.startReplicated(services);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "slipway-gateway-stop"));
        System.out.println("gateway on " + host + ":" + gateway.port() + " for " + services);
        stopped.await();
        return 0;
    }

    /**
     * The services' instances from {@code name=url} arguments: each service of {@link Routes#PREFIXES} at least once, a
     * name given again being another instance (the same URL twice is a mistake).
     */
    static Map<String, List<URI>> upstreams(List<String> arguments) {
        Set<String> expected = new LinkedHashSet<>(Routes.PREFIXES.values());
        Map<String, List<URI>> urls = new LinkedHashMap<>();
        for (String argument : arguments) {
            int eq = argument.indexOf('=');
            String name = eq < 0 ? argument : argument.substring(0, eq).trim();
            if (eq < 0 || !expected.contains(name)) {
                throw new IllegalArgumentException("--upstream '" + argument + "': expected SERVICE=URL with SERVICE one of "
                        + String.join(", ", expected));
            }
            URI url = url(name, argument.substring(eq + 1).trim());
            List<URI> instances = urls.computeIfAbsent(name, n -> new ArrayList<>());
            if (instances.contains(url)) {
                throw new IllegalArgumentException("--upstream names " + name + " at " + url + " twice");
            }
            instances.add(url);
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(urls.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("--upstream missing for " + String.join(", ", missing)
                    + ": the gateway needs the URL of each of " + String.join(", ", expected));
        }
        return urls;
    }

    private static URI url(String service, String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--upstream " + service + ": '" + text + "' is not a URL", e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || (uri.getRawQuery() != null) || (uri.getRawFragment() != null)) {
            throw new IllegalArgumentException("--upstream " + service + ": '" + text
                    + "' is not an http(s) base URL such as http://" + service + ":8080");
        }
        return uri;
    }
}
