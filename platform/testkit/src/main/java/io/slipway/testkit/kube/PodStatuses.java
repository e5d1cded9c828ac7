package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.testkit.kube.RunningPod.Container;
import io.slipway.testkit.kube.RunningPod.Instance;
import io.slipway.testkit.kube.RunningPod.State;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A pod's status as the kubelet generates it from what runs (kubelet_pods.go generateAPIPodStatus, getPhase, and
 * status/generate.go): phase, IPs, container statuses sorted by name, and the kubelet's conditions after the
 * conditions others own (readiness gates among them), each keeping its lastTransitionTime while its status holds.
 * Ready needs every container ready and every readiness gate's condition True.
 */
final class PodStatuses {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> KUBELET_CONDITIONS = Set.of("PodReadyToStartContainers", "Initialized", "Ready",
            "ContainersReady", "PodScheduled");

    private PodStatuses() {
    }

    /** The status {@code pod} should have now; fields the kubelet does not own (qosClass, others' conditions) kept. */
    static ObjectNode generate(ObjectNode pod, RunningPod running, Instant now) {
        JsonNode spec = pod.path("spec");
        ObjectNode old = pod.get("status") instanceof ObjectNode o ? o : pod.objectNode();
        ObjectNode status = old.deepCopy();
        String phase = phase(spec.path("restartPolicy").asText("Always"), running);
        status.put("phase", phase);
        status.put("hostIP", running.hostIp);
        status.putArray("hostIPs").addObject().put("ip", running.hostIp);
        status.put("podIP", running.podIp);
        status.putArray("podIPs").addObject().put("ip", running.podIp);
        status.put("startTime", running.startTime.toString());
        if (!spec.path("initContainers").isEmpty()) {
            ArrayNode inits = status.putArray("initContainerStatuses");
            for (JsonNode c : spec.path("initContainers")) {
                inits.add(completedInit(c, running));
            }
        }
        ArrayNode statuses = status.putArray("containerStatuses");
        List<Container> byName = new ArrayList<>(running.containers.values());
        byName.sort(Comparator.comparing(c -> c.name));
        for (Container c : byName) {
            statuses.add(containerStatus(c));
        }
        status.set("conditions", conditions(spec, old, running, phase, now));
        return status;
    }

    /** getPhase: Pending until every container has started, then Running, and a terminal phase once nothing will run again. */
    static String phase(String restartPolicy, RunningPod running) {
        if (running.stopped) {
            return running.allSucceeded() ? "Succeeded" : "Failed";
        }
        int waiting = 0;
        int active = 0;
        int stopped = 0;
        int succeeded = 0;
        for (Container c : running.containers.values()) {
            if (c.state == State.RUNNING) {
                active++;
            } else if (c.current == null) {
                waiting++;
            } else {
                stopped++;
                if (c.state == State.EXITED && c.current.exitCode == 0) {
                    succeeded++;
                }
            }
        }
        if (waiting > 0) {
            return "Pending";
        }
        if (active > 0 || restartPolicy.equals("Always")) {
            return "Running";
        }
        if (stopped == succeeded) {
            return "Succeeded";
        }
        return restartPolicy.equals("Never") ? "Failed" : "Running"; // OnFailure: restarting
    }

    private static ObjectNode containerStatus(Container c) {
        ObjectNode s = NODES.objectNode();
        s.put("name", c.name);
        ObjectNode state = s.putObject("state");
        ObjectNode last = s.putObject("lastState");
        if (c.current == null) {
            state.putObject("waiting").put("reason", "ContainerCreating");
            s.put("ready", false).put("restartCount", c.restartCount).put("image", shown(c.wantedImage)).put("imageID", "").put("started", false);
            return s;
        }
        boolean running = c.state == State.RUNNING;
        if (running) {
            state.putObject("running").put("startedAt", c.current.startedAt.toString());
            if (c.previous != null) {
                last.set("terminated", terminated(c.previous));
            }
        } else {
            state.set("terminated", terminated(c.current)); // exited, or killed and about to be started again
            if (c.previous != null) {
                last.set("terminated", terminated(c.previous));
            }
        }
        s.put("ready", running && c.ready).put("restartCount", c.restartCount).put("image", shown(c.current.image))
                .put("imageID", c.current.imageId).put("containerID", c.current.containerId).put("started", running);
        return s;
    }

    private static ObjectNode terminated(Instance i) {
        ObjectNode t = NODES.objectNode();
        return t.put("exitCode", i.exitCode).put("reason", i.reason).put("startedAt", i.startedAt.toString())
                .put("finishedAt", i.finishedAt.toString()).put("containerID", i.containerId);
    }

    /** Init containers ran to completion when the sandbox started (they are not run one after another). */
    private static ObjectNode completedInit(JsonNode spec, RunningPod running) {
        ObjectNode s = NODES.objectNode();
        String name = spec.path("name").asText();
        Instance done = running.inits.get(name);
        s.put("name", name);
        if (done == null) {
            s.putObject("state").putObject("waiting").put("reason", "PodInitializing");
            s.putObject("lastState");
            return s.put("ready", false).put("restartCount", 0).put("image", shown(spec.path("image").asText())).put("imageID", "").put("started", false);
        }
        s.putObject("state").set("terminated", terminated(done));
        s.putObject("lastState");
        return s.put("ready", true).put("restartCount", 0).put("image", shown(done.image)).put("imageID", done.imageId)
                .put("containerID", done.containerId).put("started", false);
    }

    private static String shown(String image) {
        return ImageReference.parse(image).shown();
    }

    private static ArrayNode conditions(JsonNode spec, ObjectNode old, RunningPod running, String phase, Instant now) {
        ArrayNode conditions = old.arrayNode();
        for (JsonNode c : old.path("conditions")) {
            if (!KUBELET_CONDITIONS.contains(c.path("type").asText())) {
                conditions.add(c.deepCopy());
            }
        }
        boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
        add(conditions, old, now, "PodReadyToStartContainers", !running.stopped, null, null);
        add(conditions, old, now, "Initialized", true, phase.equals("Succeeded") ? "PodCompleted" : null, null);
        String[] containersReady = containersReady(running, phase, terminal);
        String[] ready = containersReady[0] == null ? readinessGates(spec, old) : containersReady;
        add(conditions, old, now, "Ready", ready[0] == null, ready[0], ready[1]);
        add(conditions, old, now, "ContainersReady", containersReady[0] == null, containersReady[0], containersReady[1]);
        add(conditions, old, now, "PodScheduled", true, null, null);
        return conditions;
    }

    /** {reason, message} of ContainersReady=False, or {null, null} when every container is ready. */
    private static String[] containersReady(RunningPod running, String phase, boolean terminal) {
        if (terminal) {
            return new String[] {phase.equals("Succeeded") ? "PodCompleted" : "PodFailed", null};
        }
        List<String> unready = new ArrayList<>();
        for (Container c : running.containers.values()) {
            if (!(c.state == State.RUNNING && c.ready)) {
                unready.add(c.name);
            }
        }
        return unready.isEmpty() ? new String[] {null, null}
                : new String[] {"ContainersNotReady", "containers with unready status: [" + String.join(" ", unready) + "]"};
    }

    /** GeneratePodReadyCondition's readiness gates: each gate's condition must exist and be True. */
    private static String[] readinessGates(JsonNode spec, ObjectNode old) {
        List<String> unready = new ArrayList<>();
        for (JsonNode gate : spec.path("readinessGates")) {
            String type = gate.path("conditionType").asText();
            JsonNode condition = null;
            for (JsonNode c : old.path("conditions")) {
                if (type.equals(c.path("type").asText())) {
                    condition = c;
                }
            }
            if (condition == null) {
                unready.add("corresponding condition of pod readiness gate \"" + type + "\" does not exist.");
            } else if (!"True".equals(condition.path("status").asText())) {
                unready.add("the status of pod readiness gate \"" + type + "\" is not \"True\", but " + condition.path("status").asText());
            }
        }
        return unready.isEmpty() ? new String[] {null, null} : new String[] {"ReadinessGatesNotReady", String.join(", ", unready)};
    }

    private static void add(ArrayNode conditions, ObjectNode old, Instant now, String type, boolean ok, String reason, String message) {
        String value = ok ? "True" : "False";
        String since = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (JsonNode c : old.path("conditions")) {
            if (type.equals(c.path("type").asText()) && value.equals(c.path("status").asText()) && c.hasNonNull("lastTransitionTime")) {
                since = c.get("lastTransitionTime").asText();
            }
        }
        ObjectNode condition = conditions.addObject().put("type", type).put("status", value).putNull("lastProbeTime").put("lastTransitionTime", since);
        if (reason != null) {
            condition.put("reason", reason);
        }
        if (message != null) {
            condition.put("message", message);
        }
    }
}
