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

    /** The user the host is logged in as: the Clusterfile's, else root (as sealer does). */
    public String sshUser() {
        return ssh == null || ssh.user() == null || ssh.user().isBlank() ? "root" : ssh.user();
    }

    /** The port the host's sshd listens on: the Clusterfile's, else 22. */
    public int sshPort() {
        return ssh == null || ssh.port() == null ? 22 : ssh.port();
    }
}
