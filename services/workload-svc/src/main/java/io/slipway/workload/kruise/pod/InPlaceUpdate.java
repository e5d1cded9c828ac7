package io.slipway.workload.kruise.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kruise's in-place update of a pod: only container images and pod metadata may change, since the API server refuses
 * any other change of a pod's spec. The pod is first taken out of service through its {@code InPlaceUpdateReady}
 * readiness gate, then its images change and the kubelet restarts just those containers; once each of them reports
 * the new image (a new imageID, or a new container when the tag moved to the same digest), the gate opens again.
 */
public final class InPlaceUpdate {
    public static final String READINESS_GATE = "InPlaceUpdateReady";
    public static final String STATE_ANNOTATION = "apps.kruise.io/inplace-update-state";
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private InPlaceUpdate() {
    }

    /**
     * What changes from one pod template to another. {@code images} maps a container to its new image; when
     * {@code blocking} is not empty the change cannot be made in place, and it names the fields that prevent it.
     */
    public record Diff(Map<String, String> images, Map<String, String> labels, Map<String, String> annotations, List<String> blocking) {
        public boolean inPlacePossible() {
            return blocking.isEmpty();
        }

        public boolean empty() {
            return images.isEmpty() && blocking.isEmpty();
        }
    }

    /** Compares the pod spec and metadata of two templates. */
    public static Diff diff(PodTemplateSpec from, PodTemplateSpec to) {
        ObjectNode a = (ObjectNode) JSON.valueToTree(from.getSpec() == null ? new PodSpec() : from.getSpec());
        ObjectNode b = (ObjectNode) JSON.valueToTree(to.getSpec() == null ? new PodSpec() : to.getSpec());
        Map<String, String> images = new LinkedHashMap<>();
        List<String> blocking = new ArrayList<>();
        for (String list : List.of("containers", "initContainers")) {
            ArrayNode ca = a.withArray(list);
            ArrayNode cb = b.withArray(list);
            if (ca.size() != cb.size()) {
                blocking.add("spec." + list);
                continue;
            }
            for (int i = 0; i < ca.size(); i++) {
                ObjectNode x = (ObjectNode) ca.get(i);
                ObjectNode y = (ObjectNode) cb.get(i);
                String name = y.path("name").asText();
                if (!x.path("name").asText().equals(name)) {
                    blocking.add("spec." + list + "[" + i + "].name");
                    continue;
                }
                if (!x.path("image").equals(y.path("image"))) {
                    if (list.equals("containers")) {
                        images.put(name, y.path("image").asText());
                    } else {
                        blocking.add("spec.initContainers[" + name + "].image"); // init containers have run already
                    }
                }
                x.set("image", y.path("image"));
                differingFields(x, y).forEach(f -> blocking.add("spec." + list + "[" + name + "]." + f));
            }
            a.remove(list);
            b.remove(list);
        }
        differingFields(a, b).forEach(f -> blocking.add("spec." + f));
        return new Diff(images, changed(from.getMetadata() == null ? null : from.getMetadata().getLabels(),
                to.getMetadata() == null ? null : to.getMetadata().getLabels()),
                changed(from.getMetadata() == null ? null : from.getMetadata().getAnnotations(),
                        to.getMetadata() == null ? null : to.getMetadata().getAnnotations()), List.copyOf(blocking));
    }

    private static List<String> differingFields(ObjectNode a, ObjectNode b) {
        List<String> fields = new ArrayList<>();
        Iterator<String> names = a.fieldNames();
        names.forEachRemaining(n -> {
            if (!a.get(n).equals(b.get(n))) {
                fields.add(n);
            }
        });
        b.fieldNames().forEachRemaining(n -> {
            if (!a.has(n)) {
                fields.add(n);
            }
        });
        return fields;
    }

    /** Entries of {@code to} that are new or changed, and removed keys mapped to null. */
    private static Map<String, String> changed(Map<String, String> from, Map<String, String> to) {
        Map<String, String> a = from == null ? Map.of() : from;
        Map<String, String> b = to == null ? Map.of() : to;
        Map<String, String> changes = new LinkedHashMap<>();
        b.forEach((k, v) -> {
            if (!v.equals(a.get(k))) {
                changes.put(k, v);
            }
        });
        a.keySet().forEach(k -> {
            if (!b.containsKey(k)) {
                changes.put(k, null);
            }
        });
        return changes;
    }

    /** Adds the {@code InPlaceUpdateReady} readiness gate to a pod spec (pods of a set that updates in place). */
    public static void addReadinessGate(PodSpec spec) {
        List<PodReadinessGate> gates = spec.getReadinessGates() == null ? new ArrayList<>() : new ArrayList<>(spec.getReadinessGates());
        if (gates.stream().noneMatch(g -> READINESS_GATE.equals(g.getConditionType()))) {
            gates.add(new PodReadinessGate(READINESS_GATE));
        }
        spec.setReadinessGates(gates);
    }

    public static boolean hasReadinessGate(Pod pod) {
        return pod.getSpec().getReadinessGates() != null
                && pod.getSpec().getReadinessGates().stream().anyMatch(g -> READINESS_GATE.equals(g.getConditionType()));
    }

    /** The gate's condition is not yet set on a pod that has the gate (a new pod). */
    public static boolean gateUnset(Pod pod) {
        return hasReadinessGate(pod) && PodState.condition(pod, READINESS_GATE).isEmpty();
    }

    /** The pod was taken out of service for an in-place update that has not finished. */
    public static boolean inProgress(Pod pod) {
        return PodState.condition(pod, READINESS_GATE).map(c -> "False".equals(c.getStatus())).orElse(false);
    }

    /** When the gate was closed (the start of the grace period). */
    public static Instant closedAt(Pod pod) {
        return PodState.condition(pod, READINESS_GATE).map(PodCondition::getLastTransitionTime).map(Instant::parse).orElse(Instant.EPOCH);
    }

    /** A copy of {@code pod} whose gate condition has {@code status}; only its status differs. */
    public static Pod withGate(Pod pod, boolean open, String reason, Instant now) {
        Pod copy = Serialization.clone(pod);
        List<PodCondition> conditions = new ArrayList<>(copy.getStatus().getConditions() == null ? List.of() : copy.getStatus().getConditions());
        conditions.removeIf(c -> READINESS_GATE.equals(c.getType()));
        conditions.add(new PodConditionBuilder().withType(READINESS_GATE).withStatus(open ? "True" : "False").withReason(reason)
                .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build());
        copy.getStatus().setConditions(conditions);
        return copy;
    }

    /**
     * The JSON patch (RFC 6902) of the pod's status that gives the gate's condition {@code open} status, as
     * {@link #withGate} would, without sending the whole pod: guarded by the pod's uid and the condition as read (so a
     * gate is not closed twice). Opening is also guarded by the resourceVersion read: the plan judged the update
     * finished from that pod, and after its containers turned ready the kubelet has nothing more to write.
     */
    public static String gatePatch(Pod read, boolean open, String reason, Instant now) {
        ArrayNode ops = JSON.createArrayNode();
        op(ops, "test", "/metadata/uid", read.getMetadata().getUid());
        if (open) {
            op(ops, "test", "/metadata/resourceVersion", read.getMetadata().getResourceVersion());
        }
        PodCondition condition = new PodConditionBuilder().withType(READINESS_GATE).withStatus(open ? "True" : "False").withReason(reason)
                .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build();
        List<PodCondition> conditions = read.getStatus() == null || read.getStatus().getConditions() == null ? List.of()
                : read.getStatus().getConditions();
        int at = -1;
        for (int i = 0; i < conditions.size(); i++) {
            if (READINESS_GATE.equals(conditions.get(i).getType())) {
                at = i;
            }
        }
        if (conditions.isEmpty()) { // absent, or empty and so not serialized: the list is added whole
            ops.addObject().put("op", "add").put("path", "/status/conditions").set("value", JSON.createArrayNode().add(JSON.valueToTree(condition)));
        } else if (at < 0) {
            ops.addObject().put("op", "add").put("path", "/status/conditions/-").set("value", JSON.valueToTree(condition));
        } else {
            op(ops, "test", "/status/conditions/" + at + "/type", READINESS_GATE);
            op(ops, "test", "/status/conditions/" + at + "/status", conditions.get(at).getStatus());
            ops.addObject().put("op", "replace").put("path", "/status/conditions/" + at).set("value", JSON.valueToTree(condition));
        }
        return ops.toString();
    }

    /**
     * A copy of {@code pod} with the diff's images and metadata applied and the state annotation recording, for each
     * container whose image changes, what it ran before (imageID, container id, start), so completion can be told.
     */
    public static Pod apply(Pod pod, Diff diff, Map<String, String> labels, String revision, Instant now) {
        Pod copy = Serialization.clone(pod);
        ObjectNode state = JSON.createObjectNode();
        state.put("revision", revision);
        state.put("updateTimestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode last = state.putObject("lastContainerStatuses");
        for (Container c : copy.getSpec().getContainers()) {
            String image = diff.images().get(c.getName());
            if (image == null) {
                continue;
            }
            ObjectNode before = last.putObject(c.getName());
            PodState.containerStatus(pod, c.getName()).ifPresent(s -> {
                before.put("imageID", Objects.toString(s.getImageID(), ""));
                before.put("containerID", Objects.toString(s.getContainerID(), ""));
            });
            c.setImage(image);
        }
        Map<String, String> newLabels = patched(copy.getMetadata().getLabels(), diff.labels());
        newLabels.putAll(labels);
        copy.getMetadata().setLabels(newLabels);
        Map<String, String> annotations = patched(copy.getMetadata().getAnnotations(), diff.annotations());
        annotations.put(STATE_ANNOTATION, state.toString());
        copy.getMetadata().setAnnotations(annotations);
        return copy;
    }

    /**
     * The JSON patch (RFC 6902) that turns {@code read} into {@code applied}, a result of {@link #apply} on it: the
     * changed images, labels and annotations only, guarded by tests of what the update was planned from (the pod's
     * uid; each changed container's name, image and containerID as read). Unlike a PUT of the whole pod at the
     * resourceVersion read, it does not lose the race with the kubelet's status write that closing the gate causes,
     * which made nearly every image write of a large rollout answer 409 and wait for the next reconcile; a change it
     * must not overwrite (another image change, a restarted container, a new pod of that name) still fails a test.
     */
    public static String patch(Pod read, Pod applied) {
        return patch(read, applied, List.of());
    }

    /**
     * {@link #patch(Pod, Pod)}, also guarded by a test of each annotation of {@code tested} the pod had when read (a
     * record another writer may have moved on, such as a hot upgrade's working container).
     */
    public static String patch(Pod read, Pod applied, List<String> tested) {
        ArrayNode ops = JSON.createArrayNode();
        op(ops, "test", "/metadata/uid", read.getMetadata().getUid());
        for (String key : tested) {
            String value = PodState.annotation(read, key);
            if (value != null) {
                op(ops, "test", "/metadata/annotations/" + pointerToken(key), value);
            }
        }
        List<Container> before = read.getSpec().getContainers();
        List<Container> after = applied.getSpec().getContainers();
        List<ContainerStatus> statuses = read.getStatus() == null || read.getStatus().getContainerStatuses() == null ? List.of()
                : read.getStatus().getContainerStatuses();
        for (int i = 0; i < after.size(); i++) {
            if (Objects.equals(before.get(i).getImage(), after.get(i).getImage())) {
                continue;
            }
            String at = "/spec/containers/" + i;
            op(ops, "test", at + "/name", before.get(i).getName());
            op(ops, "test", at + "/image", before.get(i).getImage());
            for (int j = 0; j < statuses.size(); j++) {
                if (before.get(i).getName().equals(statuses.get(j).getName()) && statuses.get(j).getContainerID() != null) {
                    op(ops, "test", "/status/containerStatuses/" + j + "/containerID", statuses.get(j).getContainerID());
                }
            }
            op(ops, "replace", at + "/image", after.get(i).getImage());
        }
        entries(ops, "/metadata/labels", read.getMetadata().getLabels(), applied.getMetadata().getLabels());
        entries(ops, "/metadata/annotations", read.getMetadata().getAnnotations(), applied.getMetadata().getAnnotations());
        return ops.toString();
    }

    private static void entries(ArrayNode ops, String path, Map<String, String> from, Map<String, String> to) {
        Map<String, String> a = from == null ? Map.of() : from;
        Map<String, String> b = to == null ? Map.of() : to;
        if (a.equals(b)) {
            return;
        }
        if (a.isEmpty()) { // absent, or empty and so not serialized: the map is added whole
            ops.addObject().put("op", "add").put("path", path).set("value", JSON.valueToTree(b));
            return;
        }
        b.forEach((k, v) -> {
            if (!v.equals(a.get(k))) {
                op(ops, "add", path + "/" + pointerToken(k), v); // add replaces a member that exists
            }
        });
        a.keySet().forEach(k -> {
            if (!b.containsKey(k)) {
                ops.addObject().put("op", "remove").put("path", path + "/" + pointerToken(k));
            }
        });
    }

    private static void op(ArrayNode ops, String op, String path, String value) {
        ops.addObject().put("op", op).put("path", path).put("value", value);
    }

    /** A map key as a JSON pointer token (RFC 6901): {@code ~} and {@code /} escaped. */
    private static String pointerToken(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** {@code base} with {@code changes} applied, as {@link #changed} reports them (a null value removes the key). */
    private static Map<String, String> patched(Map<String, String> base, Map<String, String> changes) {
        Map<String, String> result = new LinkedHashMap<>(base == null ? Map.of() : base);
        changes.forEach((k, v) -> {
            if (v == null) {
                result.remove(k);
            } else {
                result.put(k, v);
            }
        });
        return result;
    }

    /**
     * Whether every container the last in-place update changed runs its new image: the status shows the spec's image
     * and either a new imageID or a new container (a restart: a tag moved to the same digest keeps the imageID).
     */
    public static boolean completed(Pod pod) {
        String raw = PodState.annotation(pod, STATE_ANNOTATION);
        if (raw == null) {
            return true;
        }
        JsonNode last;
        try {
            last = JSON.readTree(raw).path("lastContainerStatuses");
        } catch (Exception e) {
            return true; // not ours to judge: an unreadable record cannot hold a pod out of service forever
        }
        for (Container c : pod.getSpec().getContainers()) {
            JsonNode before = last.get(c.getName());
            if (before == null) {
                continue;
            }
            ContainerStatus now = PodState.containerStatus(pod, c.getName()).orElse(null);
            if (now == null || !c.getImage().equals(now.getImage()) || !Boolean.TRUE.equals(now.getReady())) {
                return false;
            }
            boolean newImage = !before.path("imageID").asText().equals(Objects.toString(now.getImageID(), ""));
            boolean restarted = !before.path("containerID").asText().equals(Objects.toString(now.getContainerID(), ""));
            if (!newImage && !restarted) {
                return false;
            }
        }
        return true;
    }
}
