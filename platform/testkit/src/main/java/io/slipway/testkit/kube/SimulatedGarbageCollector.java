package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.testkit.kube.SimulatedApiServer.DeleteOptions;
import io.slipway.testkit.kube.SimulatedApiServer.ObjectKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The simulated kube-controller-manager's garbage collection, for every kind of object (custom resources included):
 * the garbage collector's owner-reference graph (a dependent whose owners are all gone is deleted, in the
 * background; one that still has a live owner loses only the dangling reference; an object created with only
 * dangling owners is deleted), the {@code orphan} finalizer (dependents lose their reference to the owner, then the
 * owner goes) and the {@code foregroundDeletion} finalizer (dependents are deleted, and the owner goes once no
 * dependent with {@code blockOwnerDeletion} is left); and the pod garbage collector's part for pods bound to a node
 * that no longer exists (failed with a {@code DisruptionTarget} condition, then deleted without grace).
 *
 * <p>The graph is kept from the API server's change stream (under its lock, so it is exact at every
 * resourceVersion); the work is done on the simulated control plane's thread, through the API server's own writes.
 */
final class SimulatedGarbageCollector implements SimulatedApiServer.ChangeObserver {
    private record OwnerReference(String uid, boolean blockOwnerDeletion) {
    }

    private final SimulatedApiServer api;
    // the graph, guarded by this
    private final Map<ObjectKey, String> uidOf = new HashMap<>();
    private final Map<String, ObjectKey> keyOfUid = new HashMap<>();
    private final Map<ObjectKey, List<OwnerReference>> ownersOf = new HashMap<>();
    private final Map<String, Set<ObjectKey>> dependentsOf = new HashMap<>();

    private final WorkQueue<String> owners;
    private final WorkQueue<ObjectKey> dependents;
    private final WorkQueue<String> removedNodes;

    SimulatedGarbageCollector(SimulatedApiServer api, Executor controlPlane) {
        this.api = api;
        this.owners = new WorkQueue<>("garbage collector (owners)", controlPlane, this::processOwner);
        this.dependents = new WorkQueue<>("garbage collector (dependents)", controlPlane, this::attemptToDelete);
        this.removedNodes = new WorkQueue<>("pod garbage collector", controlPlane, this::deletePodsOf);
    }

    @Override
    public synchronized void changed(ObjectKey key, ObjectNode object) {
        if (object == null) {
            gone(key);
            return;
        }
        JsonNode metadata = object.path("metadata");
        String uid = metadata.path("uid").asText();
        String previousUid = uidOf.put(key, uid);
        if (previousUid != null && !previousUid.equals(uid)) {
            keyOfUid.remove(previousUid);
        }
        keyOfUid.put(uid, key);
        List<OwnerReference> refs = new ArrayList<>();
        for (JsonNode ref : metadata.path("ownerReferences")) {
            refs.add(new OwnerReference(ref.path("uid").asText(), ref.path("blockOwnerDeletion").asBoolean(false)));
        }
        List<OwnerReference> before = refs.isEmpty() ? ownersOf.remove(key) : ownersOf.put(key, refs);
        if (before != null) {
            for (OwnerReference old : before) {
                if (refs.stream().noneMatch(r -> r.uid().equals(old.uid()))) {
                    forget(old.uid(), key);
                }
            }
        }
        boolean dangling = false;
        for (OwnerReference ref : refs) {
            dependentsOf.computeIfAbsent(ref.uid(), u -> new HashSet<>()).add(key);
            dangling |= !keyOfUid.containsKey(ref.uid());
        }
        if (dangling && !refs.equals(before)) {
            dependents.add(key);
        }
        if (metadata.hasNonNull("deletionTimestamp")) {
            List<String> finalizers = SimulatedApiServer.strings(metadata.path("finalizers"));
            if (finalizers.contains(SimulatedApiServer.ORPHAN_FINALIZER) || finalizers.contains(SimulatedApiServer.FOREGROUND_FINALIZER)) {
                owners.add(uid);
            }
        }
    }

    private void gone(ObjectKey key) {
        String uid = uidOf.remove(key);
        if (uid != null) {
            keyOfUid.remove(uid);
            if (dependentsOf.containsKey(uid)) {
                owners.add(uid);
            }
        }
        List<OwnerReference> refs = ownersOf.remove(key);
        if (refs != null) {
            for (OwnerReference ref : refs) {
                forget(ref.uid(), key);
                owners.add(ref.uid()); // an owner deleted in the foreground may have waited for this one
            }
        }
        if (key.group().isEmpty() && "nodes".equals(key.plural())) {
            removedNodes.add(key.name());
        }
    }

    private void forget(String ownerUid, ObjectKey dependent) {
        Set<ObjectKey> set = dependentsOf.get(ownerUid);
        if (set != null) {
            set.remove(dependent);
            if (set.isEmpty()) {
                dependentsOf.remove(ownerUid);
            }
        }
    }

    /** An owner that is gone, or being deleted with the orphan or foreground policy: see to its dependents. */
    private void processOwner(String uid) {
        ObjectKey ownerKey;
        List<ObjectKey> deps;
        synchronized (this) {
            ownerKey = keyOfUid.get(uid);
            Set<ObjectKey> set = dependentsOf.get(uid);
            deps = set == null ? List.of() : List.copyOf(set);
            if (set != null && set.isEmpty()) {
                dependentsOf.remove(uid);
            }
        }
        ObjectNode owner = ownerKey == null ? null : api.get(ownerKey);
        if (owner == null || !uid.equals(owner.path("metadata").path("uid").asText())) {
            deps.forEach(this::attemptToDelete);
            return;
        }
        JsonNode metadata = owner.path("metadata");
        if (!metadata.hasNonNull("deletionTimestamp")) {
            return;
        }
        List<String> finalizers = SimulatedApiServer.strings(metadata.path("finalizers"));
        if (finalizers.contains(SimulatedApiServer.ORPHAN_FINALIZER)) {
            for (ObjectKey dependent : deps) {
                api.update(dependent, null, object -> withoutOwners(object, Set.of(uid)));
            }
            api.update(ownerKey, uid, object -> withoutFinalizer(object, SimulatedApiServer.ORPHAN_FINALIZER));
        } else if (finalizers.contains(SimulatedApiServer.FOREGROUND_FINALIZER)) {
            boolean blocked = false;
            for (ObjectKey dependent : deps) {
                ObjectNode object = api.get(dependent);
                if (object != null && !object.path("metadata").hasNonNull("deletionTimestamp")) {
                    deleteQuietly(dependent, object);
                    object = api.get(dependent);
                }
                blocked |= object != null && blocks(object, uid);
            }
            if (!blocked) {
                api.update(ownerKey, uid, object -> withoutFinalizer(object, SimulatedApiServer.FOREGROUND_FINALIZER));
            }
        }
    }

    private static boolean blocks(ObjectNode dependent, String ownerUid) {
        for (JsonNode ref : dependent.path("metadata").path("ownerReferences")) {
            if (ownerUid.equals(ref.path("uid").asText()) && ref.path("blockOwnerDeletion").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    /** attemptToDeleteItem: deleted if every owner is gone, else only its dangling references go. */
    private void attemptToDelete(ObjectKey key) {
        ObjectNode object = api.get(key);
        if (object == null) {
            return;
        }
        Set<String> dangling = new HashSet<>();
        boolean alive = false;
        synchronized (this) {
            for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
                String uid = ref.path("uid").asText();
                if (keyOfUid.containsKey(uid)) {
                    alive = true;
                } else {
                    dangling.add(uid);
                }
            }
        }
        if (dangling.isEmpty()) {
            return;
        }
        if (alive) {
            api.update(key, object.path("metadata").path("uid").asText(), o -> withoutOwners(o, dangling));
        } else if (!object.path("metadata").hasNonNull("deletionTimestamp")) {
            deleteQuietly(key, object);
        }
    }

    private void deleteQuietly(ObjectKey key, ObjectNode object) {
        try {
            api.delete(key, new DeleteOptions(null, "Background", object.path("metadata").path("uid").asText(), null));
        } catch (ApiError e) {
            // gone or replaced meanwhile: nothing left to collect
        }
    }

    /** The pod garbage collector's gcOrphaned: pods bound to a node that no longer exists fail and go at once. */
    private void deletePodsOf(String node) {
        if (api.get(new ObjectKey("", "v1", "nodes", null, node)) != null) {
            return; // added again meanwhile
        }
        for (ObjectNode pod : api.list("", "pods")) {
            if (!node.equals(pod.path("spec").path("nodeName").asText())) {
                continue;
            }
            JsonNode metadata = pod.path("metadata");
            ObjectKey key = new ObjectKey("", "v1", "pods", metadata.path("namespace").asText(), metadata.path("name").asText());
            String uid = metadata.path("uid").asText();
            api.update(key, uid, SimulatedGarbageCollector::failedByPodGc);
            try {
                api.delete(key, new DeleteOptions(0L, null, uid, null));
            } catch (ApiError e) {
                // gone meanwhile
            }
        }
    }

    private static ObjectNode failedByPodGc(ObjectNode pod) {
        ObjectNode status = pod.get("status") instanceof ObjectNode s ? s : pod.putObject("status");
        String phase = status.path("phase").asText();
        if (!phase.equals("Succeeded") && !phase.equals("Failed")) {
            status.put("phase", "Failed");
        }
        ArrayNode conditions = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
        for (JsonNode c : conditions) {
            if ("DisruptionTarget".equals(c.path("type").asText())) {
                return pod;
            }
        }
        conditions.addObject().put("type", "DisruptionTarget").put("status", "True").putNull("lastProbeTime")
                .put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("reason", "DeletionByPodGC").put("message", "PodGC: node no longer exists");
        return pod;
    }

    private static ObjectNode withoutOwners(ObjectNode object, Set<String> uids) {
        JsonNode refs = object.path("metadata").path("ownerReferences");
        if (!(refs instanceof ArrayNode array)) {
            return null;
        }
        Iterator<JsonNode> it = array.elements();
        while (it.hasNext()) {
            if (uids.contains(it.next().path("uid").asText())) {
                it.remove();
            }
        }
        if (array.isEmpty()) {
            ((ObjectNode) object.get("metadata")).remove("ownerReferences");
        }
        return object;
    }

    private static ObjectNode withoutFinalizer(ObjectNode object, String finalizer) {
        JsonNode finalizers = object.path("metadata").path("finalizers");
        if (!(finalizers instanceof ArrayNode array)) {
            return null;
        }
        Iterator<JsonNode> it = array.elements();
        while (it.hasNext()) {
            if (finalizer.equals(it.next().asText())) {
                it.remove();
            }
        }
        if (array.isEmpty()) {
            ((ObjectNode) object.get("metadata")).remove("finalizers");
        }
        return object;
    }
}
