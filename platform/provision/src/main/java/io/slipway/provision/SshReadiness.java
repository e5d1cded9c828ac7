package io.slipway.provision;

import java.util.Optional;

/**
 * Whether a running node's SSH server answers yet, and with which host key. The real probe opens an SSH connection
 * (key exchange only, no login); a simulation answers from its own record of when the node's sshd came up.
 */
@FunctionalInterface
public interface SshReadiness {

    /** The host key the node presents (an OpenSSH public key line), or empty when it does not answer yet. */
    Optional<String> hostKey(ProviderNode node);
}
