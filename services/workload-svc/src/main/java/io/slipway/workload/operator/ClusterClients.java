package io.slipway.workload.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.Startup;
import io.slipway.backbone.api.NotFound;
import io.slipway.kube.TargetClusters;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clients of the clusters workload-svc manages, by name: the home cluster ({@code slipway.workload.cluster}, the
 * Quarkus Kubernetes Client) first, then each of {@code slipway.workload.clusters.<name>} from its kubeconfig context,
 * with the Quarkus client's timeouts, retries and TLS settings, on a Vert.x of its own (one cluster's slow watches
 * never hold another's threads). Made at startup, so a missing kubeconfig or context stops the service with the key
 * at fault, whether or not the controllers run (the REST views read every cluster).
 */
@Startup
@ApplicationScoped
public class ClusterClients {
    private final String home;
    private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();
    private final List<Vertx> vertx = new ArrayList<>();

    ClusterClients(KubernetesClient client, WorkloadConfig config) {
        this.home = config.cluster();
        clients.put(home, client);
        try {
            config.clusters().forEach((name, target) -> {
                String prefix = "slipway.workload.clusters." + name + ".";
                if (name.equals(home)) {
                    throw new IllegalArgumentException(prefix + "*: \"" + name + "\" is the home cluster's name (slipway.workload.cluster, the"
                            + " Quarkus Kubernetes Client's cluster); name this one differently");
                }
                if (target.kubeconfig().isEmpty() && target.context().isEmpty()) {
                    throw new IllegalArgumentException(prefix + "kubeconfig or " + prefix + "context: one is needed (the home cluster is "
                            + "slipway.workload.cluster)");
                }
                var named = TargetClusters.configOf(prefix, target.kubeconfig(), target.context(), false, client.getConfiguration());
                Vertx own = TargetClusters.vertx();
                vertx.add(own);
                clients.put(name, TargetClusters.connect(named, own));
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The home cluster's name. */
    public String home() {
        return home;
    }

    /** Every cluster's client by name, the home cluster first. */
    public Map<String, KubernetesClient> all() {
        return Collections.unmodifiableMap(clients);
    }

    /**
     * The client of cluster {@code name} (the home cluster's when {@code name} is empty), or a 404 that names the
     * clusters this service manages.
     */
    public KubernetesClient get(String name) {
        KubernetesClient client = clients.get(name == null || name.isEmpty() ? home : name);
        if (client == null) {
            throw NotFound.of("cluster", name + " (this workload-svc manages " + String.join(", ", clients.keySet()) + ")");
        }
        return client;
    }

    @PreDestroy
    void close() {
        clients.forEach((name, client) -> {
            if (!name.equals(home)) {
                client.close();
            }
        });
        vertx.forEach(Vertx::close);
    }
}
