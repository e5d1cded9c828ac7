package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.testkit.kube.RunningPod.Container;
import io.slipway.testkit.kube.RunningPod.Instance;
import io.slipway.testkit.kube.RunningPod.State;
import io.slipway.testkit.kube.SimulatedApiServer.ObjectKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A SIMULATED kubelet, one for every Node of the cluster: no container runs anywhere, but each pod bound to a node
 * goes through what a real kubelet reports, written through the pod's status subresource, at the
 * {@link SimulationOptions}' pace:
 * <ul>
 *   <li>Pending with containers {@code ContainerCreating}, {@code hostIP}, {@code podIP}, {@code startTime}; after the
 *       container start delay Running, each container with a {@code containerd://} containerID, its image, an
 *       {@code imageID} {@code <repo>@sha256:...} ({@link #imageId}), {@code state.running.startedAt},
 *       {@code started}; ready after the readiness delay. Init containers complete when the pod starts.</li>
 *   <li>Conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled; Ready is True only
 *       when every container is ready and every {@code spec.readinessGates[].conditionType} has a condition with
 *       status True (else reason ReadinessGatesNotReady), re-evaluated whenever the pod's conditions change.</li>
 *   <li>A changed {@code spec.containers[i].image} restarts that container only: its old instance shows terminated
 *       (not ready, so the pod is not Ready), then after the start delay a new instance runs the new image with a new
 *       containerID, new startedAt, the new imageID and {@code restartCount + 1}, the old one as {@code lastState}.</li>
 *   <li>A pod with restartPolicy Never or OnFailure: each container exits after the job run duration with the exit
 *       code of annotation {@value #EXIT_CODE_ANNOTATION} (default 0); Never ends Succeeded (all 0) or Failed;
 *       OnFailure restarts a failed container (after the start delay, without back-off) as a real kubelet does.</li>
 *   <li>Deletion: the kubelet holds finalizer {@value #FINALIZER} on the pods it runs; a deleted pod's containers
 *       stop after the termination delay (at most the grace period; none for 0), its status turns Succeeded or
 *       Failed, and the kubelet removes its finalizer with a final zero-grace delete, after which the pod is gone.</li>
 * </ul>
 * Per pod, annotations {@value #START_MILLIS_ANNOTATION}, {@value #READY_MILLIS_ANNOTATION} and
 * {@value #RUN_MILLIS_ANNOTATION} override the delays. Image digests come from {@link #digest}, or from ConfigMap
 * {@code kube-system/simulated-image-digests} whose values are references with tag and digest
 * ({@code registry.local/app:2@sha256:...}), so that tests in another class loader can move a tag; else they are
 * derived from the reference.
 *
 * <p>A Node created through the API is registered by the kubelet (default labels, pod CIDR, Ready status). Driven by
 * the API server's change stream; all its state lives on the simulated control plane's thread.
 */
public final class SimulatedKubelet {
    public static final String FINALIZER = "simulation.slipway.io/kubelet";
    public static final String EXIT_CODE_ANNOTATION = "simulation.slipway.io/exit-code";
    public static final String RUN_MILLIS_ANNOTATION = "simulation.slipway.io/run-millis";
    public static final String START_MILLIS_ANNOTATION = "simulation.slipway.io/start-millis";
    public static final String READY_MILLIS_ANNOTATION = "simulation.slipway.io/ready-millis";
    /** Namespace and name of the ConfigMap of image digests the kubelet reads. */
    public static final String DIGESTS_NAMESPACE = "kube-system";
    public static final String DIGESTS_CONFIG_MAP = "simulated-image-digests";

    private final SimulatedApiServer api;
    private final ScheduledExecutorService controlPlane;
    private final SimulatedNodes nodes;
    private final SimulationOptions options;
    private final WorkQueue<ObjectKey> pods;
    private final WorkQueue<String> nodeChanges;
    private final WorkQueue<String> digestChanges;
    private final Map<String, String> registeredDigests = new ConcurrentHashMap<>();
    private volatile Map<String, String> configuredDigests = Map.of();
    // the control plane's thread only
    private final Map<ObjectKey, RunningPod> running = new HashMap<>();
    private final Set<String> served = new HashSet<>();

    SimulatedKubelet(SimulatedApiServer api, ScheduledExecutorService controlPlane, SimulatedNodes nodes, SimulationOptions options) {
        this.api = api;
        this.controlPlane = controlPlane;
        this.nodes = nodes;
        this.options = options;
        this.pods = new WorkQueue<>("kubelet", controlPlane, this::syncPod);
        this.nodeChanges = new WorkQueue<>("kubelet (nodes)", controlPlane, this::syncNode);
        this.digestChanges = new WorkQueue<>("kubelet (image digests)", controlPlane, k -> loadDigests());
    }

    /** Follows the cluster from now on, starting with what it already holds. */
    void start() {
        api.observe(this::changed);
        digestChanges.add(DIGESTS_CONFIG_MAP);
        for (ObjectNode node : api.list("", "nodes")) {
            nodeChanges.add(node.path("metadata").path("name").asText());
        }
        for (ObjectNode pod : api.list("", "pods")) {
            pods.add(SimulatedScheduler.keyOf(pod));
        }
    }

    /**
     * Makes {@code image} (a tag, e.g. {@code registry.local/app:2}) resolve to {@code digest}
     * ({@code sha256:} and 64 hex digits) for containers started from now on; two tags given one digest share an
     * imageID, as when a tag moved to an image another tag names.
     */
    public SimulatedKubelet digest(String image, String digest) {
        registeredDigests.put(ImageReference.parse(image).byTag(), ImageReference.checkDigest(digest));
        return this;
    }

    /** The {@code imageID} a container started now from {@code image} reports: {@code <repo>@sha256:<hex>}. */
    public String imageId(String image) {
        ImageReference ref = ImageReference.parse(image);
        if (ref.digest() != null) {
            return ref.imageId(ref.digest());
        }
        String digest = configuredDigests.get(ref.byTag());
        if (digest == null) {
            digest = registeredDigests.get(ref.byTag());
        }
        return ref.imageId(digest != null ? digest : ref.derivedDigest());
    }

    private void changed(ObjectKey key, ObjectNode object) {
        if (!key.group().isEmpty()) {
            return;
        }
        switch (key.plural()) {
            case "pods" -> pods.add(key);
            case "nodes" -> nodeChanges.add(key.name());
            case "configmaps" -> {
                if (DIGESTS_NAMESPACE.equals(key.namespace()) && DIGESTS_CONFIG_MAP.equals(key.name())) {
                    digestChanges.add(DIGESTS_CONFIG_MAP);
                }
            }
            default -> {
            }
        }
    }

    private void loadDigests() {
        ObjectNode map = api.get(new ObjectKey("", "v1", "configmaps", DIGESTS_NAMESPACE, DIGESTS_CONFIG_MAP));
        Map<String, String> digests = new HashMap<>();
        if (map != null) {
            for (JsonNode value : map.path("data")) {
                ImageReference ref = ImageReference.parse(value.asText());
                if (ref.digest() != null && ref.tag() != null) {
                    digests.put(ref.byTag(), ref.digest());
                }
            }
        }
        configuredDigests = Map.copyOf(digests);
    }

    // ---- nodes ------------------------------------------------------------------------------------------------------

    private void syncNode(String name) {
        ObjectKey key = new ObjectKey("", "v1", "nodes", null, name);
        ObjectNode node = api.get(key);
        if (node == null) {
            served.remove(name);
            running.forEach((pod, rp) -> {
                if (rp.node.equals(name)) {
                    pods.add(pod);
                }
            });
            return;
        }
        boolean added = served.add(name);
        if (!SimulatedNodes.isReady(node)) {
            api.update(key, node.path("metadata").path("uid").asText(), nodes::register);
        }
        if (added) {
            for (ObjectNode pod : api.list("", "pods")) {
                if (name.equals(pod.path("spec").path("nodeName").asText())) {
                    pods.add(SimulatedScheduler.keyOf(pod));
                }
            }
        }
    }

    // ---- pods -------------------------------------------------------------------------------------------------------

    /** Level-triggered, like the kubelet's syncPod: compares the pod with what runs and acts on the difference. */
    private void syncPod(ObjectKey key) {
        ObjectNode pod = api.get(key);
        RunningPod rp = running.get(key);
        String uid = pod == null ? null : pod.path("metadata").path("uid").asText();
        if (rp != null && (pod == null || !rp.uid.equals(uid))) {
            rp.cancelTimers(); // gone, or replaced by a pod of the same name
            running.remove(key);
            rp = null;
        }
        if (pod == null) {
            return;
        }
        String node = pod.path("spec").path("nodeName").asText("");
        if (node.isEmpty()) {
            return;
        }
        boolean deleting = pod.path("metadata").hasNonNull("deletionTimestamp");
        if (!served.contains(node)) {
            if (rp != null) {
                rp.cancelTimers();
                running.remove(key);
            }
            if (deleting) {
                release(key, uid); // the node is gone with its kubelet: the simulation's finalizer must not hold the pod
            }
            return;
        }
        if (deleting) {
            terminate(key, pod, rp);
            return;
        }
        if (rp == null && isTerminal(pod)) {
            return;
        }
        if (!SimulatedApiServer.strings(pod.path("metadata").path("finalizers")).contains(FINALIZER)) {
            pod = api.update(key, uid, SimulatedKubelet::withFinalizer);
            if (pod == null) {
                return;
            }
        }
        if (rp == null) {
            rp = admit(key, pod, node);
        } else if (!rp.stopped) {
            applyImageChanges(key, rp, pod);
        }
        writeStatus(key, uid, rp);
    }

    private static boolean isTerminal(JsonNode pod) {
        String phase = pod.path("status").path("phase").asText();
        return phase.equals("Succeeded") || phase.equals("Failed");
    }

    /** A new pod on this node: a sandbox with an IP, init containers run, every container being created. */
    private RunningPod admit(ObjectKey key, ObjectNode pod, String node) {
        Instant now = now();
        RunningPod rp = new RunningPod(pod.path("metadata").path("uid").asText(), node, nodes.hostIp(node), nodes.nextPodIp(node), now);
        running.put(key, rp);
        for (JsonNode c : pod.path("spec").path("initContainers")) {
            String image = c.path("image").asText();
            Instance done = new Instance(image, imageId(image), now);
            done.exit(0, now);
            rp.inits.put(c.path("name").asText(), done);
        }
        for (JsonNode c : pod.path("spec").path("containers")) {
            Container container = new Container(c.path("name").asText(), c.path("image").asText());
            rp.containers.put(container.name, container);
            create(key, rp, container, pod);
        }
        return rp;
    }

    /** Containers whose image changed are killed and created again with the new one; the others go on. */
    private void applyImageChanges(ObjectKey key, RunningPod rp, ObjectNode pod) {
        boolean restarts = "Always".equals(pod.path("spec").path("restartPolicy").asText("Always"));
        for (JsonNode spec : pod.path("spec").path("containers")) {
            Container c = rp.containers.get(spec.path("name").asText());
            String image = spec.path("image").asText();
            if (c == null || image.equals(c.wantedImage) || c.state == State.EXITED && !restarts) {
                continue; // a job's finished container is not run again
            }
            c.recreate(image, now());
            create(key, rp, c, pod);
        }
    }

    /** Starts a new instance of the container after the start delay, then readiness and, for a job, its exit. */
    private void create(ObjectKey key, RunningPod rp, Container c, JsonNode pod) {
        long generation = c.generation;
        after(key, rp, millis(pod, START_MILLIS_ANNOTATION, options.containerStartDelay().toMillis()), () -> {
            if (c.generation != generation || rp.terminating) {
                return;
            }
            c.start(imageId(c.wantedImage), now());
            started(key, rp, c, pod);
        });
    }

    private void started(ObjectKey key, RunningPod rp, Container c, JsonNode pod) {
        long generation = c.generation;
        long ready = millis(pod, READY_MILLIS_ANNOTATION, options.readinessDelay().toMillis());
        if (ready == 0) {
            c.ready = true;
        } else {
            after(key, rp, ready, () -> c.ready |= c.generation == generation);
        }
        String restartPolicy = pod.path("spec").path("restartPolicy").asText("Always");
        if (restartPolicy.equals("Always")) {
            return;
        }
        after(key, rp, millis(pod, RUN_MILLIS_ANNOTATION, options.jobRunDuration().toMillis()), () -> {
            if (c.generation != generation || rp.terminating) {
                return;
            }
            int code = exitCode(pod);
            boolean again = code != 0 && restartPolicy.equals("OnFailure");
            c.exit(code, now(), again ? State.CREATING : State.EXITED);
            if (again) {
                create(key, rp, c, pod);
            }
        });
    }

    /** A deleted pod: its containers stop after the termination delay (at most its grace period), then it is released. */
    private void terminate(ObjectKey key, ObjectNode pod, RunningPod rp) {
        String uid = pod.path("metadata").path("uid").asText();
        if (rp == null) {
            release(key, uid); // never ran here
            return;
        }
        if (rp.stopped) {
            writeStatus(key, uid, rp);
            release(key, uid);
            return;
        }
        long grace = pod.path("metadata").path("deletionGracePeriodSeconds").asLong(0) * 1000;
        long delay = Math.min(options.terminationDelay().toMillis(), grace);
        if (!rp.terminating || delay < rp.terminationDelay) {
            rp.terminating = true;
            rp.terminationDelay = delay;
            rp.cancelTimers();
            after(key, rp, delay, () -> rp.stopAll(now()));
        }
    }

    /** The kubelet's last word on a pod: its finalizer removed with a zero-grace delete. */
    private void release(ObjectKey key, String uid) {
        api.update(key, uid, pod -> {
            ObjectNode metadata = (ObjectNode) pod.get("metadata");
            if (metadata.get("finalizers") instanceof ArrayNode finalizers) {
                Iterator<JsonNode> it = finalizers.elements();
                while (it.hasNext()) {
                    if (FINALIZER.equals(it.next().asText())) {
                        it.remove();
                    }
                }
                if (finalizers.isEmpty()) {
                    metadata.remove("finalizers");
                }
            }
            if (metadata.path("deletionGracePeriodSeconds").asLong() != 0) {
                metadata.put("deletionGracePeriodSeconds", 0);
                metadata.put("deletionTimestamp", now().toString());
            }
            return pod;
        });
    }

    private void writeStatus(ObjectKey key, String uid, RunningPod rp) {
        api.update(key, uid, pod -> {
            pod.set("status", PodStatuses.generate(pod, rp, Instant.now()));
            return pod;
        });
    }

    private static ObjectNode withFinalizer(ObjectNode pod) {
        ObjectNode metadata = (ObjectNode) pod.get("metadata");
        ArrayNode finalizers = metadata.get("finalizers") instanceof ArrayNode a ? a : metadata.putArray("finalizers");
        finalizers.add(FINALIZER);
        return pod;
    }

    /** Runs {@code transition} on the control plane's thread after {@code millis}, then syncs the pod, unless it went away. */
    private void after(ObjectKey key, RunningPod rp, long millis, Runnable transition) {
        if (rp.timers.size() > 16) {
            rp.timers.removeIf(Future::isDone);
        }
        try {
            rp.timers.add(controlPlane.schedule(() -> {
                if (running.get(key) == rp) {
                    transition.run();
                    pods.add(key);
                }
            }, millis, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // the cluster is closing
        }
    }

    private static long millis(JsonNode pod, String annotation, long otherwise) {
        JsonNode value = pod.path("metadata").path("annotations").get(annotation);
        if (value == null) {
            return otherwise;
        }
        try {
            return Math.max(0, Long.parseLong(value.asText().trim()));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static int exitCode(JsonNode pod) {
        JsonNode value = pod.path("metadata").path("annotations").get(EXIT_CODE_ANNOTATION);
        try {
            return value == null ? 0 : Integer.parseInt(value.asText().trim());
        } catch (NumberFormatException e) {
            return 1; // an exit code that is no number: the container failed
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }
}
