package io.slipway.testkit.kube;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: a {@link SimulatedCluster} for the service under test, named by init arg {@code cluster}
 * ("sim" by default) and configured as {@code slipway.ingest.clusters.<cluster>}: by kubeconfig and context, or with
 * init arg {@code client=quarkus} as the cluster of the Quarkus Kubernetes Client ({@code quarkus.kubernetes-client.master-url},
 * the cluster entry naming neither kubeconfig nor context); plus any other init arg as a configuration key. The test reaches the same cluster through the kubeconfig file named by
 * system property {@code slipwaytestkit.kube.<cluster>.kubeconfig} (Quarkus loads test classes in another class
 * loader, so the cluster object itself is not shared).
 */
public class SimulatedClusterResource implements QuarkusTestResourceLifecycleManager {
    private String name = "sim";
    private boolean quarkusClient;
    private final Map<String, String> extra = new HashMap<>();
    private SimulatedCluster cluster;
    private Path dir;

    /** The kubeconfig of the simulated cluster {@code name}, once the resource has started. */
    public static Path kubeconfig(String name) {
        String path = System.getProperty("slipwaytestkit.kube." + name + ".kubeconfig");
        if (path == null) {
            throw new IllegalStateException("no simulated cluster '" + name + "' is running (SimulatedClusterResource)");
        }
        return Path.of(path);
    }

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((k, v) -> {
            if (k.equals("cluster")) {
                name = v;
            } else if (k.equals("client")) {
                if (!v.equals("quarkus") && !v.equals("kubeconfig")) {
                    throw new IllegalArgumentException("client: 'quarkus' or 'kubeconfig', not '" + v + "'");
                }
                quarkusClient = v.equals("quarkus");
            } else {
                extra.put(k, v);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        cluster = SimulatedCluster.start();
        try {
            dir = Files.createTempDirectory("slipway-simulated-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), name);
        System.setProperty("slipwaytestkit.kube." + name + ".kubeconfig", kubeconfig.toString());
        Map<String, String> config = new HashMap<>(extra);
        if (quarkusClient) {
            config.put("quarkus.kubernetes-client.master-url", cluster.url());
            config.put("quarkus.kubernetes-client.namespace", "default");
            if (!"false".equals(config.remove("ingest"))) { // init arg ingest=false: a service without event-svc's ingest
                config.putIfAbsent("slipway.ingest.clusters." + name + ".apis", "v1");
            }
        } else {
            config.put("slipway.ingest.clusters." + name + ".kubeconfig", kubeconfig.toString());
            config.put("slipway.ingest.clusters." + name + ".context", name);
        }
        return config;
    }

    @Override
    public void stop() {
        System.clearProperty("slipwaytestkit.kube." + name + ".kubeconfig");
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            dir.resolve("kubeconfig").toFile().delete();
            dir.toFile().delete();
        }
    }
}
