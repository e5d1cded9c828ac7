package io.slipway.deploy.install;

import io.slipway.ssh.SshTarget;
import java.util.List;
import java.util.Map;

/**
 * One host of an install: its address and roles, how to reach it, the env its templates and hooks see, and the image
 * it has now (null when fresh), which decides what an upgrade sends and reruns.
 */
public record InstallTarget(String ip, List<String> roles, SshTarget ssh, Map<String, String> env, InstallImage installed) {

    public InstallTarget {
        roles = List.copyOf(roles);
        env = Map.copyOf(env);
    }

    public boolean isMaster() {
        return roles.contains("master");
    }
}
