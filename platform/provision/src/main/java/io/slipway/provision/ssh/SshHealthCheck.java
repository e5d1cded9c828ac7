package io.slipway.provision.ssh;

import io.slipway.provision.SshLogin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Whether a machine can be handed out: its SSH server answers, the login is accepted and a command runs
 * ({@code true}). The answer is empty when healthy, else the reason, which names the address and what failed, never the
 * password or key. One client serves every check; each check's session is closed before it returns.
 */
public final class SshHealthCheck implements AutoCloseable {
    private final SshClient client;
    private final Duration timeout;

    public SshHealthCheck(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = SshClient.setUpDefaultClient();
        // health, not trust: the key a machine presents is recorded by the readiness probe and pinned by deploy-svc
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(session -> List.of());
        client.setPasswordIdentityProvider(session -> List.of());
        client.start();
    }

    /** Empty when {@code login} runs {@code true} on {@code address:port}; else why not. */
    public Optional<String> problem(String address, int port, SshLogin login) {
        String where = address + ":" + port;
        ClientSession session;
        try {
            session = client.connect(login.user(), address, port).verify(timeout.toMillis()).getSession();
        } catch (IOException | RuntimeException e) {
            return Optional.of(where + " does not answer SSH (" + reason(e) + ")");
        }
        try {
            try {
                addIdentity(session, login);
            } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
                return Optional.of("cannot read the private key " + login.privateKey() + " for " + where + " (" + e.getClass().getSimpleName() + ")");
            }
            try {
                session.auth().verify(timeout.toMillis());
            } catch (IOException | RuntimeException e) {
                return Optional.of(where + " refused user " + login.user() + " with its " + (login.privateKey() != null ? "key" : "password"));
            }
            try {
                session.executeRemoteCommand("true");
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.of(where + " could not run a command as " + login.user() + " (" + reason(e) + ")");
            }
        } finally {
            session.close(true);
        }
    }

    private static void addIdentity(ClientSession session, SshLogin login) throws IOException, java.security.GeneralSecurityException {
        if (login.privateKey() == null) {
            session.addPasswordIdentity(login.password());
            return;
        }
        try (InputStream in = Files.newInputStream(login.privateKey())) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(login.privateKey().toString()), in,
                    FilePasswordProvider.EMPTY);
            if (pairs == null || !pairs.iterator().hasNext()) {
                throw new IOException("no private key in " + login.privateKey());
            }
            pairs.forEach(session::addPublicKeyIdentity);
        }
    }

    /** An exception's message without anything a server echoed back at length. */
    private static String reason(Throwable e) {
        String m = e.getMessage();
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        return text.length() > 200 ? text.substring(0, 200) : text;
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
