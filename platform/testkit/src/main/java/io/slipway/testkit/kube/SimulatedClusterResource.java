package io.slipway.testkit.kube;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Quarkus test resource: a {@link SimulatedCluster} for the service under test, named by init arg {@code cluster}
 * ("sim" by default) and configured as {@code <config-prefix>.<cluster>} (init arg {@code config-prefix}, by default
 * {@code slipway.ingest.clusters}; workload-svc's are {@code slipway.workload.clusters}): by kubeconfig and context, or with
 * init arg {@code client=quarkus} as the cluster of the Quarkus Kubernetes Client ({@code quarkus.kubernetes-client.master-url},
 * the cluster entry naming neither kubeconfig nor context); plus any other init arg as a configuration key. The test reaches the same cluster through the kubeconfig file named by
 * system property {@code slipwaytestkit.kube.<cluster>.kubeconfig} (Quarkus loads test classes in another class
 * loader, so the cluster object itself is not shared).
 *
 * <p>With init arg {@code kubelet=true} the cluster runs the SIMULATED scheduler and kubelet
 * ({@link SimulatedCluster#start(SimulationOptions)}), configured by init args:
 * <ul>
 *   <li>{@code nodes}: how many nodes {@code node-1} ... {@code node-<n>} (default 3);</li>
 *   <li>{@code start-millis}, {@code ready-millis}, {@code termination-millis}, {@code run-millis}: the
 *       {@link SimulationOptions} delays in milliseconds;</li>
 *   <li>{@code node.<name>.labels=a=b,c=d} and {@code node.<name>.taints=key=value:NoSchedule,other:NoExecute}:
 *       labels and taints of node {@code <name>}, which is added if it is not one of the numbered ones.</li>
 * </ul>
 * The test controls the simulation further through the API: Nodes it creates are registered by the kubelet, pod
 * annotations override delays and exit codes ({@link SimulatedKubelet}), and ConfigMap
 * {@code kube-system/simulated-image-digests} moves image tags.
 */
public class SimulatedClusterResource implements QuarkusTestResourceLifecycleManager {
    private static final Set<String> SIMULATION_ARGS = Set.of("kubelet", "nodes", "start-millis", "ready-millis", "termination-millis",
            "run-millis");

    private String name = "sim";
    private String configPrefix = "slipway.ingest.clusters";
    private boolean quarkusClient;
    private final Map<String, String> extra = new HashMap<>();
    private final Map<String, String> simulation = new HashMap<>();
    private final Map<String, Map<String, String>> nodeLabels = new TreeMap<>();
    private final Map<String, List<Taint>> nodeTaints = new TreeMap<>();
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
            } else if (k.equals("config-prefix")) {
                configPrefix = v;
            } else if (k.equals("client")) {
                if (!v.equals("quarkus") && !v.equals("kubeconfig")) {
                    throw new IllegalArgumentException("client: 'quarkus' or 'kubeconfig', not '" + v + "'");
                }
                quarkusClient = v.equals("quarkus");
            } else if (SIMULATION_ARGS.contains(k)) {
                simulation.put(k, v);
            } else if (k.startsWith("node.") && k.endsWith(".labels")) {
                nodeLabels.put(k.substring(5, k.length() - 7), labels(k, v));
            } else if (k.startsWith("node.") && k.endsWith(".taints")) {
                nodeTaints.put(k.substring(5, k.length() - 7), taints(k, v));
            } else {
                extra.put(k, v);
            }
        });
        boolean kubelet = Boolean.parseBoolean(simulation.getOrDefault("kubelet", "false"));
        if (!kubelet && (simulation.size() > (simulation.containsKey("kubelet") ? 1 : 0) || !nodeLabels.isEmpty() || !nodeTaints.isEmpty())) {
            throw new IllegalArgumentException("nodes, delays, node labels and taints need kubelet=true (init args " + simulation.keySet()
                    + nodeLabels.keySet() + nodeTaints.keySet() + ")");
        }
    }

    /** {@code a=b,c=d}. */
    private static Map<String, String> labels(String arg, String value) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(arg + ": labels are key=value pairs separated by commas, not '" + value + "'");
            }
            labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return labels;
    }

    /** {@code key=value:Effect,key:Effect}. */
    private static List<Taint> taints(String arg, String value) {
        List<Taint> taints = new ArrayList<>();
        for (String spec : value.split(",")) {
            int colon = spec.lastIndexOf(':');
            String effect = colon < 0 ? "" : spec.substring(colon + 1).trim();
            if (!Set.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                throw new IllegalArgumentException(arg + ": a taint is key[=value]:NoSchedule|PreferNoSchedule|NoExecute, not '" + spec + "'");
            }
            String keyValue = spec.substring(0, colon).trim();
            int eq = keyValue.indexOf('=');
            taints.add(new TaintBuilder().withKey(eq < 0 ? keyValue : keyValue.substring(0, eq))
                    .withValue(eq < 0 ? null : keyValue.substring(eq + 1)).withEffect(effect).build());
        }
        return taints;
    }

    private SimulatedCluster startCluster() {
        if (!Boolean.parseBoolean(simulation.getOrDefault("kubelet", "false"))) {
            return SimulatedCluster.start();
        }
        SimulationOptions defaults = SimulationOptions.defaults();
        SimulatedCluster started = SimulatedCluster.start(defaults.withNodes(0)
                .withContainerStartDelay(millis("start-millis", defaults.containerStartDelay()))
                .withReadinessDelay(millis("ready-millis", defaults.readinessDelay()))
                .withTerminationDelay(millis("termination-millis", defaults.terminationDelay()))
                .withJobRunDuration(millis("run-millis", defaults.jobRunDuration())));
        Set<String> names = new LinkedHashSet<>();
        int count = Integer.parseInt(simulation.getOrDefault("nodes", Integer.toString(defaults.nodes())));
        for (int i = 1; i <= count; i++) {
            names.add("node-" + i);
        }
        names.addAll(nodeLabels.keySet());
        names.addAll(nodeTaints.keySet());
        for (String node : names) {
            started.addNode(node, nodeLabels.getOrDefault(node, Map.of()), nodeTaints.getOrDefault(node, List.of()));
        }
        return started;
    }

    private Duration millis(String arg, Duration otherwise) {
        String value = simulation.get(arg);
        return value == null ? otherwise : Duration.ofMillis(Long.parseLong(value.trim()));
    }

    @Override
    public Map<String, String> start() {
        cluster = startCluster();
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
            config.put(configPrefix + "." + name + ".kubeconfig", kubeconfig.toString());
            config.put(configPrefix + "." + name + ".context", name);
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
