package io.slipway.deploy.install;

import io.slipway.ssh.SshTarget;
import java.util.List;
import java.util.Map;

/**
 * One host of an install: its address and roles, how to reach it, the env its templates and hooks see, the image it
 * has now (null when fresh), which decides what an upgrade sends and reruns, and its architecture (amd64, arm64...;
 * null until probed), which picks its variant of a multi-platform CloudImage.
 */
public record InstallTarget(String ip, List<String> roles, SshTarget ssh, Map<String, String> env, InstallImage installed,
                            String architecture) {

    public InstallTarget {
        roles = List.copyOf(roles);
        env = Map.copyOf(env);
    }

    public InstallTarget(String ip, List<String> roles, SshTarget ssh, Map<String, String> env, InstallImage installed) {
        this(ip, roles, ssh, env, installed, null);
    }

    public boolean isMaster() {
        return roles.contains("master");
    }

    public InstallTarget withArchitecture(String arch) {
        return new InstallTarget(ip, roles, ssh, env, installed, arch);
    }

    public InstallTarget withInstalled(InstallImage image) {
        return new InstallTarget(ip, roles, ssh, env, image, architecture);
    }
}
