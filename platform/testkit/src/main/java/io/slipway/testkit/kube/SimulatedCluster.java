package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A simulated Kubernetes cluster, for tests and benchmarks where no real API server can run: fabric8's Kubernetes
 * mock server in CRUD mode, extended with the real API server's list/watch contract (resourceVersion history, watch
 * from a resourceVersion, {@code 410 Gone} once the history is compacted, bookmarks, paged lists, both API views of
 * every Event), objects for events to be about, and an {@link EventGenerator} that writes Events the way Kubernetes
 * components do. Serves plain HTTP on a free loopback port; {@link #writeKubeconfig} points a client at it.
 *
 * <p>Its API server also writes as a real one does, and {@link #start(SimulationOptions)} adds a SIMULATED scheduler
 * and kubelet ({@link SimulatedKubelet}) on simulated nodes, so that controllers see their pods scheduled, running,
 * ready, restarted in place and terminated. The full account is {@code platform/testkit/SIMULATION.md}; in short:
 *
 * <h2>What is simulated</h2>
 * <ul>
 *   <li>API server: list/watch contract; pod defaulting, container name/image validation, immutable pod spec (422);
 *       the status subresource of pods and of CRDs declaring one; the scale subresource of apps/v1 workloads and of
 *       CRDs declaring one; 409 Conflict on stale resourceVersions, on
 *       {@code /status} too; graceful deletion (finalizers, {@code deletionGracePeriodSeconds}, propagation
 *       policies, preconditions); mutating webhooks ({@code url} + {@code caBundle}, HTTPS) on pod CREATE; the real
 *       Status reasons and messages.</li>
 *   <li>Garbage collection of dependents (background, orphan, foreground; any kind), pods of removed nodes.</li>
 *   <li>Scheduler: nodeSelector, required node affinity, taints/tolerations, cordons; spread by pod count;
 *       Unschedulable condition with the scheduler's message.</li>
 *   <li>Kubelet: Pending, Running, Ready with readiness gates, container statuses with imageID/containerID,
 *       in-place restart on an image change, job pods' exit codes, graceful termination behind its finalizer.</li>
 * </ul>
 *
 * <h2>What is not</h2>
 * <ul>
 *   <li>Nothing runs: no containers, networking, DNS, Services, volumes (PVCs are never bound), probes, hooks,
 *       logs or exec; no Events from the scheduler or kubelet; no heartbeats, node failures or evictions.</li>
 *   <li>Scheduler: no preemption, resource fitting, inter-pod affinity, topology spread or scoring beyond the spread.</li>
 *   <li>API server: strategic merge patch and server-side apply answer 415; no UPDATE/DELETE admission, validating
 *       webhooks or built-in admission plugins; no schema validation of custom resources; no RBAC.</li>
 * </ul>
 */
public final class SimulatedCluster implements AutoCloseable {
    /** Changes the simulated watch cache keeps by default; a watch from further back gets 410 Gone. */
    public static final int DEFAULT_HISTORY = 100_000;
    /** Live changes a watch may owe a client that stopped reading before the server closes it. */
    public static final int DEFAULT_WATCH_BACKLOG = 10_000;
    /** How long a new watch's first event is held back by default (see {@link #firstEventDelay}). */
    public static final Duration DEFAULT_FIRST_EVENT_DELAY = Duration.ofMillis(25);

    private static final Logger MOCK_SERVER_LOG = Logger.getLogger(MockWebServer.class.getName());

    private final SimulatedApiServer api;
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final EventGenerator events;
    private final ScheduledExecutorService controlPlane;
    private final SimulatedNodes nodes = new SimulatedNodes();
    private volatile SimulatedKubelet kubelet;

    private SimulatedCluster(SimulatedApiServer api, KubernetesMockServer server) {
        this.api = api;
        this.server = server;
        this.controlPlane = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulated-control-plane");
            t.setDaemon(true);
            return t;
        });
        api.observe(new SimulatedGarbageCollector(api, controlPlane));
        // a watch the server ended is re-opened after 100 ms instead of fabric8's default of a second and more
        this.client = server.createClient(b -> b.editOrNewConfig().withWatchReconnectInterval(100).endConfig());
        this.events = new EventGenerator(api);
    }

    /** A new, empty cluster on a free loopback port. */
    public static SimulatedCluster start() {
        MOCK_SERVER_LOG.setLevel(Level.WARNING); // it logs every request at INFO
        SimulatedApiServer api = new SimulatedApiServer(DEFAULT_HISTORY, DEFAULT_WATCH_BACKLOG, Duration.ofSeconds(10).toMillis(),
                DEFAULT_FIRST_EVENT_DELAY.toMillis());
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                new HashMap<>(), api, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new SimulatedCluster(api, server);
    }

    /**
     * A new cluster whose pods are scheduled and run by a SIMULATED scheduler and kubelet, on {@code options.nodes()}
     * nodes named {@code node-1}, {@code node-2}, ...
     */
    public static SimulatedCluster start(SimulationOptions options) {
        SimulatedCluster cluster = start();
        cluster.simulate(options);
        return cluster;
    }

    private void simulate(SimulationOptions options) {
        SimulatedScheduler scheduler = new SimulatedScheduler(api, controlPlane);
        api.observe(scheduler);
        scheduler.start();
        SimulatedKubelet started = new SimulatedKubelet(api, controlPlane, nodes, options);
        started.start();
        kubelet = started;
        for (int i = 1; i <= options.nodes(); i++) {
            addNode("node-" + i, Map.of(), List.of());
        }
    }

    /** The simulated kubelet of every node, to register image digests. */
    public SimulatedKubelet kubelet() {
        SimulatedKubelet running = kubelet;
        if (running == null) {
            throw new IllegalStateException("this cluster runs no kubelet: start it with SimulatedCluster.start(SimulationOptions)");
        }
        return running;
    }

    /**
     * Adds a Ready node, as its kubelet registers it: the well-known labels ({@code kubernetes.io/hostname},
     * {@code kubernetes.io/os}, {@code kubernetes.io/arch}) and {@code labels} over them, {@code taints}, capacity and
     * allocatable cpu, memory and pods, an InternalIP and a pod CIDR. Without {@link #start(SimulationOptions)} nothing
     * runs on it.
     */
    public Node addNode(String name, Map<String, String> labels, List<Taint> taints) {
        ObjectNode node = nodes.node(name, labels, Serialization.jsonMapper().valueToTree(taints));
        try {
            api.create(nodeKey(name), node);
        } catch (ApiError e) {
            throw new IllegalArgumentException("node " + name + ": " + e.getMessage(), e);
        }
        return Serialization.jsonMapper().convertValue(node, Node.class);
    }

    /**
     * Removes a node, as when its machine is gone: the Node object is deleted, and its pods are failed and deleted by
     * the pod garbage collector.
     */
    public void removeNode(String name) {
        try {
            api.delete(nodeKey(name), new SimulatedApiServer.DeleteOptions(0L, "Background", null, null));
        } catch (ApiError e) {
            throw new IllegalArgumentException("node " + name + ": " + e.getMessage(), e);
        }
    }

    private static SimulatedApiServer.ObjectKey nodeKey(String name) {
        return new SimulatedApiServer.ObjectKey("", "v1", "nodes", null, name);
    }

    /** A client of this cluster (the test's own, as kubectl would be). */
    public KubernetesClient client() {
        return client;
    }

    /** The API server's URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public EventGenerator events() {
        return events;
    }

    /** The newest resourceVersion (the etcd revision of the last write). */
    public long resourceVersion() {
        return api.resourceVersion();
    }

    /** Compacts the history at the current revision: watches and list continuations from before it get 410 Gone. */
    public void compact() {
        api.compact();
    }

    /** How many changes the watch cache keeps; older ones are compacted as newer ones arrive. */
    public SimulatedCluster historyLimit(int changes) {
        api.historyLimit(changes);
        return this;
    }

    /** How often watches that asked for them get a BOOKMARK (the API server sends one about every minute). */
    public SimulatedCluster bookmarkInterval(Duration interval) {
        api.bookmarkInterval(interval.toMillis());
        return this;
    }

    /** How many live changes a watch may owe a client that does not read before the server closes that watch. */
    public SimulatedCluster watchBacklogLimit(int changes) {
        api.watchBacklogLimit(changes);
        return this;
    }

    /**
     * How long after a watch's handshake its first event is held back. The API server holds nothing back; the default
     * of 25 ms spares fabric8's own {@code Watcher} a client-side race in which events sent right after the handshake
     * are dropped on a loaded machine. Zero tests that a client does not depend on it.
     */
    public SimulatedCluster firstEventDelay(Duration delay) {
        api.firstEventDelay(delay.toMillis());
        return this;
    }

    /** Ends every open watch, as an API server restart does; clients must watch again. */
    public void endWatches() {
        api.endWatches("simulated API server restart");
    }

    public int openWatches() {
        return api.openWatches();
    }

    public InvolvedObject createPod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
        return involved(client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec()
                .build()).create());
    }

    public InvolvedObject createDeployment(String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
        return involved(client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec()
                .endTemplate().endSpec()
                .build()).create());
    }

    /** A cluster-scoped object: its events live in namespace {@code default}. */
    public InvolvedObject createNode(String name, Map<String, String> labels) {
        return involved(client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .build()).create());
    }

    /** Deletes an involved object (its events stay, as in a real cluster until their TTL). */
    public void delete(InvolvedObject object) {
        var resources = client.genericKubernetesResources(object.apiVersion(), object.kind());
        (object.namespace() == null ? resources.withName(object.name()) : resources.inNamespace(object.namespace()).withName(object.name()))
                .delete();
    }

    private static InvolvedObject involved(HasMetadata o) {
        return new InvolvedObject(o.getApiVersion(), o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName(),
                o.getMetadata().getUid(), Map.copyOf(o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels()),
                Map.copyOf(o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations()));
    }

    /** Writes a kubeconfig file with one context, {@code context}, for this cluster (a bearer token user). */
    public Path writeKubeconfig(Path file, String context) {
        Map<String, SimulatedCluster> one = new LinkedHashMap<>();
        one.put(context, this);
        return writeKubeconfig(file, one);
    }

    /** Writes a kubeconfig file with one context per cluster, the first one current. */
    public static Path writeKubeconfig(Path file, Map<String, SimulatedCluster> contexts) {
        StringBuilder clusters = new StringBuilder("clusters:\n");
        StringBuilder users = new StringBuilder("users:\n");
        StringBuilder named = new StringBuilder("contexts:\n");
        contexts.forEach((name, cluster) -> {
            clusters.append("- name: ").append(name).append("\n  cluster:\n    server: ").append(cluster.url()).append('\n');
            users.append("- name: ").append(name).append("\n  user:\n    token: simulated-token\n");
            named.append("- name: ").append(name).append("\n  context:\n    cluster: ").append(name)
                    .append("\n    user: ").append(name).append("\n    namespace: default\n");
        });
        String yaml = "apiVersion: v1\nkind: Config\n" + clusters + users + named
                + "current-context: " + contexts.keySet().iterator().next() + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        controlPlane.shutdownNow();
        server.destroy(); // shuts the dispatcher down too: watches end, timers stop
    }
}
