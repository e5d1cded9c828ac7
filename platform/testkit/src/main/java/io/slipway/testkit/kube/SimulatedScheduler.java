package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.testkit.kube.SimulatedApiServer.ObjectKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * The simulated default scheduler: binds each pod that names it ({@code spec.schedulerName: default-scheduler}) and
 * has no {@code spec.nodeName} to a node that passes the {@link SchedulingFilters}, preferring the node with the
 * fewest pods (then the first by name), and writes the binding as the API server's binding subresource does
 * ({@code spec.nodeName} and condition PodScheduled=True). A pod no node can take stays Pending with
 * PodScheduled=False, reason Unschedulable and the scheduler's message ({@code 0/3 nodes are available: ...}); it is
 * tried again when a node changes. A pod with scheduling gates waits with reason SchedulingGated.
 *
 * <p>Driven by the API server's change stream; all its state lives on the simulated control plane's thread.
 * Not simulated: preemption, resource fitting, pod (anti-)affinity, topology spread, volume binding, scoring
 * plugins other than the spread by pod count, Events.
 */
final class SimulatedScheduler implements SimulatedApiServer.ChangeObserver {
    static final String NAME = "default-scheduler";

    private final SimulatedApiServer api;
    private final WorkQueue<ObjectKey> pods;
    private final WorkQueue<String> nodeChanges;
    // the control plane's thread only
    private final Map<String, JsonNode> nodes = new TreeMap<>();
    private final Map<ObjectKey, String> placements = new HashMap<>();
    private final Map<String, Integer> podsPerNode = new HashMap<>();
    private final Set<ObjectKey> unschedulable = new LinkedHashSet<>();

    SimulatedScheduler(SimulatedApiServer api, Executor controlPlane) {
        this.api = api;
        this.pods = new WorkQueue<>("scheduler", controlPlane, this::schedule);
        this.nodeChanges = new WorkQueue<>("scheduler (nodes)", controlPlane, this::nodeChanged);
    }

    /** Starts from what the cluster already holds; later changes come through {@link #changed}. */
    void start() {
        for (ObjectNode node : api.list("", "nodes")) {
            nodeChanges.add(node.path("metadata").path("name").asText());
        }
        for (ObjectNode pod : api.list("", "pods")) {
            pods.add(keyOf(pod));
        }
    }

    @Override
    public void changed(ObjectKey key, ObjectNode object) {
        if (key.group().isEmpty() && key.plural().equals("pods")) {
            pods.add(key);
        } else if (key.group().isEmpty() && key.plural().equals("nodes")) {
            nodeChanges.add(key.name());
        }
    }

    static ObjectKey keyOf(JsonNode pod) {
        return new ObjectKey("", "v1", "pods", pod.path("metadata").path("namespace").asText(), pod.path("metadata").path("name").asText());
    }

    private void nodeChanged(String name) {
        ObjectNode node = api.get(new ObjectKey("", "v1", "nodes", null, name));
        if (node == null) {
            nodes.remove(name);
        } else {
            nodes.put(name, node);
        }
        unschedulable.forEach(pods::add); // a node that appeared or changed may take them now
    }

    private void schedule(ObjectKey key) {
        ObjectNode pod = api.get(key);
        if (pod == null) {
            unplace(key);
            unschedulable.remove(key);
            return;
        }
        JsonNode spec = pod.path("spec");
        String phase = pod.path("status").path("phase").asText();
        boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
        String nodeName = spec.path("nodeName").asText("");
        if (!nodeName.isEmpty() || terminal) {
            unschedulable.remove(key);
            if (terminal) {
                unplace(key);
            } else {
                place(key, nodeName);
            }
            return;
        }
        if (pod.path("metadata").hasNonNull("deletionTimestamp") || !NAME.equals(spec.path("schedulerName").asText(NAME))) {
            unschedulable.remove(key);
            return;
        }
        String uid = pod.path("metadata").path("uid").asText();
        if (!spec.path("schedulingGates").isEmpty()) {
            api.update(key, uid, p -> withScheduledCondition(p, "False", "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates"));
            return;
        }
        String best = null;
        Map<String, Integer> reasons = new TreeMap<>();
        for (Map.Entry<String, JsonNode> node : nodes.entrySet()) {
            String why = SchedulingFilters.unfit(pod, node.getValue());
            if (why != null) {
                reasons.merge(why, 1, Integer::sum);
            } else if (best == null || podsPerNode.getOrDefault(node.getKey(), 0) < podsPerNode.getOrDefault(best, 0)) {
                best = node.getKey();
            }
        }
        if (best == null) {
            unschedulable.add(key);
            String message = unschedulableMessage(reasons);
            api.update(key, uid, p -> withScheduledCondition(p, "False", "Unschedulable", message));
            return;
        }
        String chosen = best;
        ObjectNode bound = api.update(key, uid, p -> {
            if (!p.path("spec").path("nodeName").asText("").isEmpty()) {
                return null; // bound meanwhile
            }
            ((ObjectNode) p.get("spec")).put("nodeName", chosen);
            return withScheduledCondition(p, "True", null, null);
        });
        if (bound != null) {
            unschedulable.remove(key);
            place(key, chosen);
        }
    }

    /** The FitError message: {@code 0/3 nodes are available: 1 node(s) ..., 2 node(s) ....} plus the preemption note. */
    private String unschedulableMessage(Map<String, Integer> reasons) {
        if (nodes.isEmpty()) {
            return "no nodes available to schedule pods";
        }
        StringBuilder b = new StringBuilder("0/").append(nodes.size()).append(" nodes are available: ");
        String sep = "";
        for (Map.Entry<String, Integer> r : reasons.entrySet()) {
            b.append(sep).append(r.getValue()).append(' ').append(r.getKey());
            sep = ", ";
        }
        return b.append(". preemption: 0/").append(nodes.size()).append(" nodes are available: ").append(nodes.size())
                .append(" Preemption is not helpful for scheduling.").toString();
    }

    private void place(ObjectKey key, String node) {
        String before = placements.put(key, node);
        if (!node.equals(before)) {
            podsPerNode.merge(node, 1, Integer::sum);
            if (before != null) {
                podsPerNode.merge(before, -1, Integer::sum);
            }
        }
    }

    private void unplace(ObjectKey key) {
        String before = placements.remove(key);
        if (before != null) {
            podsPerNode.merge(before, -1, Integer::sum);
        }
    }

    /** Sets condition PodScheduled, keeping its lastTransitionTime when its status stays; null if nothing changes. */
    static ObjectNode withScheduledCondition(ObjectNode pod, String status, String reason, String message) {
        ObjectNode podStatus = pod.get("status") instanceof ObjectNode s ? s : pod.putObject("status");
        ArrayNode conditions = podStatus.get("conditions") instanceof ArrayNode a ? a : podStatus.putArray("conditions");
        ObjectNode condition = null;
        for (JsonNode c : conditions) {
            if ("PodScheduled".equals(c.path("type").asText())) {
                condition = (ObjectNode) c;
            }
        }
        if (condition == null) {
            condition = conditions.addObject().put("type", "PodScheduled");
        }
        if (!status.equals(condition.path("status").asText())) {
            condition.put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        condition.put("status", status).putNull("lastProbeTime");
        if (reason == null) {
            condition.remove("reason");
            condition.remove("message");
        } else {
            condition.put("reason", reason).put("message", message);
        }
        return pod;
    }
}
