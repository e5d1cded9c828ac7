package io.slipway.deploy.clusterfile;

import java.util.List;
import java.util.Map;

/** One host as installed: its address and roles, the ssh it is reached with, and its env (cluster's, then its own). */
public record ClusterHost(String ip, List<String> roles, SshSpec ssh, Map<String, String> env, Map<String, String> labels,
                          List<String> taints) {

    public ClusterHost {
        roles = List.copyOf(roles);
        env = Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        taints = taints == null ? List.of() : List.copyOf(taints);
    }

    public boolean isMaster() {
        return roles.contains("master");
    }
}
