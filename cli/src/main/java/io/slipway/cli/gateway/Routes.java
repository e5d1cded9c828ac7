package io.slipway.cli.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The gateway's routing table: which service serves a request path, chosen by the longest matching path prefix. */
public final class Routes {

    /** Path prefixes of the public API and the service that owns each. */
    public static final Map<String, String> PREFIXES = prefixes();

    /**
     * The largest request body the gateway passes to a service: what the service itself accepts
     * ({@code quarkus.http.limits.max-body-size}), so that a larger body is refused at the edge instead of streamed
     * through. build-svc takes context and image archives up to 4 GiB; every other service keeps Quarkus' 10 MiB.
     */
    static final Map<String, Long> BODY_LIMITS = Map.of("build-svc", 4L << 30);
    static final long DEFAULT_BODY_LIMIT = 10L << 20;

    /**
     * One entry of the table: requests under {@code prefix} go to {@code service}, at one of its instances
     * ({@code upstreams}), with a body of at most {@code maxBodyBytes}.
     */
    public record Route(String prefix, String service, Upstreams upstreams, long maxBodyBytes) {
        public Route(String prefix, String service, URI baseUrl) {
            this(prefix, service, new Upstreams(List.of(baseUrl)), BODY_LIMITS.getOrDefault(service, DEFAULT_BODY_LIMIT));
        }

        /** The first instance's base URL. */
        public URI baseUrl() {
            return upstreams.urls().getFirst();
        }

        /** The address of a request for {@code pathAndQuery} at the next instance (path and query are passed unchanged). */
        public URI target(String pathAndQuery) {
            return at(upstreams.pick(), pathAndQuery);
        }

        /** The address of a request for {@code pathAndQuery} at instance {@code base}. */
        public static URI at(URI base, String pathAndQuery) {
            String text = base.toString();
            return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + pathAndQuery);
        }
    }

    private final List<Route> routes;

    public Routes(List<Route> routes) {
        this.routes = routes.stream().sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed()).toList();
    }

    /** The standard table for services reachable at {@code serviceUrls} (service name to base URL). */
    public static Routes standard(Map<String, URI> serviceUrls) {
        Map<String, List<URI>> instances = new java.util.LinkedHashMap<>();
        serviceUrls.forEach((service, url) -> instances.put(service, List.of(url)));
        return replicated(instances);
    }

    /**
     * The standard table for services of one or more instances each ({@code instances}: service name to the instances'
     * base URLs): each route takes its service's instances in turn ({@link Upstreams}).
     */
    public static Routes replicated(Map<String, List<URI>> instances) {
        Map<String, Upstreams> byService = new java.util.HashMap<>();
        List<Route> routes = new ArrayList<>();
        PREFIXES.forEach((prefix, service) -> {
            List<URI> urls = instances.get(service);
            if (urls == null || urls.isEmpty()) {
                throw new IllegalArgumentException("no URL for " + service + ", which serves " + prefix);
            }
            // one rotation per service, whichever of its prefixes a request comes by
            Upstreams upstreams = byService.computeIfAbsent(service, s -> new Upstreams(urls));
            routes.add(new Route(prefix, service, upstreams, BODY_LIMITS.getOrDefault(service, DEFAULT_BODY_LIMIT)));
        });
        return new Routes(routes);
    }

    /**
     * The route for a request path (without query). A prefix matches the path itself and anything below it
     * ({@code /api/v1/builds}, {@code /api/v1/builds/42}) but not a longer word ({@code /api/v1/buildsx}).
     */
    public Optional<Route> resolve(String path) {
        for (Route r : routes) {
            String prefix = r.prefix();
            if (path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public List<Route> routes() {
        return routes;
    }

    private static Map<String, String> prefixes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("/api/v1/builds", "build-svc");
        m.put("/api/v1/images", "build-svc");
        m.put("/api/v1/deploy", "deploy-svc");
        m.put("/api/v1/clusters", "deploy-svc");
        m.put("/api/v1/infra", "infra-svc");
        m.put("/api/v1/nodes", "infra-svc");
        m.put("/api/v1/kube-events", "event-svc");
        m.put("/api/v1/sinks", "event-svc");
        m.put("/api/v1/workloads", "workload-svc");
        m.put("/api/v1/components", "workload-svc");
        return java.util.Collections.unmodifiableMap(m);
    }
}
