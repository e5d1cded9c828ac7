package io.slipway.provision.ssh;

import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshReadiness;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Whether a node's SSH server answers, and with which host key: connects, completes the key exchange (the server
 * proves it holds the key it presents), records that key and disconnects, without logging in. The key is what
 * deploy-svc pins, so it connects to the host that was provisioned and not to whatever answers at its address later.
 * One client serves every probe; each probe's session is closed before it returns.
 */
public final class SshProbe implements SshReadiness, AutoCloseable {
    private static final AttributeRepository.AttributeKey<PublicKey> PRESENTED = new AttributeRepository.AttributeKey<>();

    private final SshClient client;
    private final Duration timeout;

    /** A probe that gives up on a node after {@code timeout} for connecting and as much again for the key exchange. */
    public SshProbe(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = SshClient.setUpDefaultClient();
        // every key is accepted here: the probe records what the node presents; pinning is the caller's business
        client.setServerKeyVerifier((session, remote, key) -> {
            session.setAttribute(PRESENTED, key);
            return true;
        });
        // no ~/.ssh/config, no agent, no identities of the user running the service: the probe never logs in
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(session -> List.of());
        client.setPasswordIdentityProvider(session -> List.of());
        client.start();
    }

    /** A probe with a 3 s timeout: a node that boots answers in milliseconds once its sshd listens. */
    public SshProbe() {
        this(Duration.ofSeconds(3));
    }

    @Override
    public Optional<String> hostKey(ProviderNode node) {
        if (node.address() == null || node.sshPort() <= 0) {
            return Optional.empty();
        }
        return hostKey(node.address(), node.sshPort());
    }

    /** The host key the SSH server at {@code address:port} presents (an OpenSSH public key line), or empty. */
    public Optional<String> hostKey(String address, int port) {
        ClientSession session;
        try {
            session = client.connect("slipway-probe", address, port).verify(timeout.toMillis()).getSession();
        } catch (IOException | RuntimeException nothingAnswers) {
            return Optional.empty();
        }
        try {
            // WAIT_AUTH: the key exchange is done and the server waits for a login the probe never sends
            session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), timeout);
            PublicKey key = session.getAttribute(PRESENTED);
            return key == null || !session.isOpen() ? Optional.empty() : Optional.of(PublicKeyEntry.toString(key));
        } catch (RuntimeException failedHandshake) {
            return Optional.empty();
        } finally {
            session.close(true);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }
}
