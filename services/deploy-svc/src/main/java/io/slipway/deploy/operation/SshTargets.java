package io.slipway.deploy.operation;

import io.slipway.deploy.clusterfile.ClusterHost;
import io.slipway.deploy.clusterfile.SshSpec;
import io.slipway.ssh.SshAuth;
import io.slipway.ssh.SshTarget;
import io.slipway.ssh.SudoMode;
import java.nio.file.Path;

/**
 * How a Clusterfile host's {@code ssh} becomes an SSH target: user root unless given, port 22, key (the PEM itself, as
 * `slipway run --pk` sends it; only a pool's nodes name infra-svc's key file) over password; a non-root user works
 * through sudo, asked with its password when one is known.
 */
final class SshTargets {
    private SshTargets() {
    }

    static SshTarget of(ClusterHost host) {
        SshSpec s = host.ssh();
        String user = host.sshUser();
        int port = host.sshPort();
        SshAuth auth;
        if (s != null && s.pk() != null && !s.pk().isBlank()) {
            auth = s.pk().strip().startsWith("-----BEGIN") ? new SshAuth.PrivateKeyData(s.pk(), s.pkPassword())
                    : new SshAuth.PrivateKey(Path.of(s.pk()), s.pkPassword());
        } else {
            auth = new SshAuth.Password(s == null ? null : s.password());
        }
        SudoMode sudo = user.equals("root") ? SudoMode.NONE
                : s != null && s.password() != null && !s.password().isBlank() ? SudoMode.PASSWORD : SudoMode.NOPASSWD;
        return new SshTarget(host.ip(), port, user, auth, sudo);
    }
}
