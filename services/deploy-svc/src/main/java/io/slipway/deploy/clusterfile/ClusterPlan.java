package io.slipway.deploy.clusterfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What applying {@code desired} over {@code current} changes: hosts to add (with roles), hosts to remove, the image, the
 * env. A host cannot change roles in place (a master's data would be lost silently): that is refused, naming it.
 */
public record ClusterPlan(List<PlannedHost> hostsToAdd, List<String> hostsToRemove, boolean imageChanged, String fromImage,
                          String toImage, boolean envChanged) {

    /**
     * A host to add, as it would be reached and installed: its roles, the ssh user and port it is logged in with (the
     * group's over the cluster's), and its env (the cluster's, then the group's) with values of secret-looking names
     * masked.
     */
    public record PlannedHost(String ip, List<String> roles, String sshUser, int sshPort, Map<String, String> env) {
        static PlannedHost of(ClusterHost h, Clusterfile cf) {
            Map<String, String> env = new java.util.LinkedHashMap<>();
            h.env().forEach((k, v) -> env.put(k, cf.secretEnv(k) ? ClusterSecrets.MASK : v));
            return new PlannedHost(h.ip(), h.roles(), h.sshUser(), h.sshPort(), env);
        }
    }

    public static ClusterPlan between(Clusterfile current, Clusterfile desired) {
        if (current == null) {
            return new ClusterPlan(desired.hosts().stream().map(h -> PlannedHost.of(h, desired)).toList(), List.of(), true,
                    null, desired.image(), !desired.env().isEmpty());
        }
        Map<String, ClusterHost> before = new java.util.LinkedHashMap<>();
        current.hosts().forEach(h -> before.put(h.ip(), h));
        List<PlannedHost> add = new ArrayList<>();
        boolean envChanged = !current.env().equals(desired.env());
        for (ClusterHost h : desired.hosts()) {
            ClusterHost was = before.remove(h.ip());
            if (was == null) {
                add.add(PlannedHost.of(h, desired));
            } else if (!new java.util.HashSet<>(was.roles()).equals(new java.util.HashSet<>(h.roles()))) {
                throw new ClusterfileException("Clusterfile", desired.hostLines().getOrDefault(h.ip(), 0), "spec.hosts",
                        "host " + h.ip() + " cannot change roles in place (" + String.join(",", was.roles()) + " -> "
                                + String.join(",", h.roles()) + "): remove it, apply, then add it with its new roles");
            } else if (!was.env().equals(h.env())) {
                envChanged = true;
            }
        }
        return new ClusterPlan(add, List.copyOf(before.keySet()), !Objects.equals(current.image(), desired.image()),
                current.image(), desired.image(), envChanged);
    }

    public boolean isEmpty() {
        return hostsToAdd.isEmpty() && hostsToRemove.isEmpty() && !imageChanged && !envChanged;
    }
}
