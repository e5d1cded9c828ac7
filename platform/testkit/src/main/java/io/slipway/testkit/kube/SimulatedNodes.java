package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The simulated machines: each node's place in the simulated network (node {@code k} has InternalIP
 * {@code 172.18.<k/250>.<k%250+2>} and pod CIDR {@code 10.<k>.0.0/16}, wide enough for any test's pods) and the Node
 * object a kubelet registers for it: the well-known labels, a Ready status with capacity, addresses and node info.
 * Thread-safe.
 */
final class SimulatedNodes {
    static final String KUBELET_VERSION = "v1.32.0";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<String, Integer> indexes = new HashMap<>();
    private final Map<String, Integer> podAddresses = new HashMap<>();
    private int lastIndex;

    private synchronized int index(String node) {
        return indexes.computeIfAbsent(node, n -> {
            if (lastIndex >= 250) {
                throw new IllegalStateException("the simulated network has room for 250 nodes");
            }
            return ++lastIndex;
        });
    }

    String hostIp(String node) {
        int k = index(node);
        return "172.18." + (k / 250) + "." + (k % 250 + 2);
    }

    String podCidr(String node) {
        return "10." + index(node) + ".0.0/16";
    }

    /** The next free pod IP of the node's pod CIDR (addresses are not reused). */
    String nextPodIp(String node) {
        int k = index(node);
        int n;
        synchronized (this) {
            n = podAddresses.merge(node, 1, Integer::sum);
        }
        if (n > 65_000) {
            throw new IllegalStateException("node " + node + " ran out of simulated pod IPs");
        }
        return "10." + k + "." + (n / 250) + "." + (n % 250 + 2);
    }

    /** A registered node: the kubelet's labels (overridden by {@code labels}), {@code taints}, a Ready status. */
    ObjectNode node(String name, Map<String, String> labels, JsonNode taints) {
        ObjectNode node = NODES.objectNode();
        node.put("apiVersion", "v1").put("kind", "Node");
        ObjectNode metadata = node.putObject("metadata").put("name", name);
        ObjectNode l = metadata.putObject("labels");
        defaultLabels(name, l);
        labels.forEach(l::put);
        ObjectNode spec = node.putObject("spec").put("podCIDR", podCidr(name));
        spec.putArray("podCIDRs").add(podCidr(name));
        if (taints != null && !taints.isEmpty()) {
            spec.set("taints", taints);
        }
        node.set("status", status(name));
        return node;
    }

    /** Registers a Node someone else created: the kubelet's labels where absent, a pod CIDR, a Ready status. */
    ObjectNode register(ObjectNode node) {
        String name = node.path("metadata").path("name").asText();
        ObjectNode metadata = (ObjectNode) node.get("metadata");
        ObjectNode labels = metadata.get("labels") instanceof ObjectNode o ? o : metadata.putObject("labels");
        ObjectNode defaults = NODES.objectNode();
        defaultLabels(name, defaults);
        defaults.fields().forEachRemaining(e -> {
            if (!labels.has(e.getKey())) {
                labels.set(e.getKey(), e.getValue());
            }
        });
        ObjectNode spec = node.get("spec") instanceof ObjectNode s ? s : node.putObject("spec");
        if (!spec.hasNonNull("podCIDR")) {
            spec.put("podCIDR", podCidr(name));
            spec.putArray("podCIDRs").add(podCidr(name));
        }
        node.set("status", status(name));
        return node;
    }

    static boolean isReady(JsonNode node) {
        for (JsonNode c : node.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return false;
    }

    private static void defaultLabels(String name, ObjectNode labels) {
        labels.put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux").put("kubernetes.io/arch", "amd64")
                .put("beta.kubernetes.io/os", "linux").put("beta.kubernetes.io/arch", "amd64");
    }

    private ObjectNode status(String name) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ObjectNode status = NODES.objectNode();
        status.putObject("capacity").put("cpu", "4").put("memory", "16393216Ki").put("pods", "110").put("ephemeral-storage", "102350Mi");
        status.putObject("allocatable").put("cpu", "4").put("memory", "16290816Ki").put("pods", "110").put("ephemeral-storage", "94324Mi");
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now);
        condition(conditions, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now);
        condition(conditions, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now);
        condition(conditions, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now);
        ArrayNode addresses = status.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", hostIp(name));
        addresses.addObject().put("type", "Hostname").put("address", name);
        status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 10250);
        String id = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        status.putObject("nodeInfo").put("machineID", id.replace("-", "")).put("systemUUID", id).put("bootID", UUID.randomUUID().toString())
                .put("kernelVersion", "6.8.0-simulated").put("osImage", "Slipway simulated node")
                .put("containerRuntimeVersion", "containerd://1.7.24").put("kubeletVersion", KUBELET_VERSION)
                .put("kubeProxyVersion", KUBELET_VERSION).put("operatingSystem", "linux").put("architecture", "amd64");
        return status;
    }

    private static void condition(ArrayNode conditions, String type, String value, String reason, String message, String now) {
        conditions.addObject().put("type", type).put("status", value).put("lastHeartbeatTime", now).put("lastTransitionTime", now)
                .put("reason", reason).put("message", message);
    }
}
