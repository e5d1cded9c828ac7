package io.slipway.provision.local;

import io.slipway.provision.local.LocalState.HostRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * Hosts for machines without root: {@link EmbeddedSshHost}s on 127.231.x.0/24 port {@value #PORT} (x claimed per user,
 * where the test kit's embedded fleets claim theirs). Their namespaces are held by anchor processes, which outlive the
 * JVM; their SSH servers live in the JVM, so a provider made in a new JVM serves again, on the same address and with
 * the same host key, every host whose anchor still runs. Commands run as the namespace's root (the user running the
 * service); root logs in with the provider's key.
 */
final class EmbeddedHosts implements HostMaker {
    static final int PORT = 2222;
    private static final String SLOT = "net";
    /** The hosts this JVM serves, by directory: two providers over one state directory serve each host once. */
    private static final Map<Path, EmbeddedSshHost> SERVED = new ConcurrentHashMap<>();

    private final LocalState state;
    private final MachineClaims claims = MachineClaims.embedded();
    private final PublicKey login;

    EmbeddedHosts(LocalState state) {
        this.state = state;
        try {
            this.login = SshKeys.readPublic(state.authorizedKeys());
        } catch (IOException e) {
            throw new UncheckedIOException("the local provider's login key in " + state.dir() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int port() {
        return PORT;
    }

    @Override
    public int network() throws IOException {
        Optional<Integer> held = state.slot(SLOT);
        return held.isPresent() ? held.get() : claims.claimSlotFor(SLOT, state.dir(), EmbeddedHosts::unused);
    }

    /** Whether nothing listens on the range's first address (a claim is per user, a port per machine). */
    private static boolean unused(int x) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.231." + x + ".11", PORT));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    @Override
    public String address(int net, int slot) {
        return "127.231." + net + "." + (10 + slot);
    }

    @Override
    public void start(HostRecord host) throws IOException {
        destroyProcesses(host);
        EmbeddedSshHost h = host(host);
        h.createNamespaces(List.of());
        SERVED.put(state.hostDir(host.name()), h);
        h.startServer(PORT);
        HostTools.awaitPort(host.name() + "'s SSH server", host.address(), PORT, java.time.Duration.ofSeconds(15), () -> false, () -> "");
    }

    /** Serves again, in this JVM, a started host whose namespaces outlived the JVM that served it. */
    void serveAgain(HostRecord host) throws IOException {
        Path dir = state.hostDir(host.name());
        if (SERVED.containsKey(dir)) {
            return;
        }
        EmbeddedSshHost h = host(host);
        if (h.adopt()) {
            h.startServer(PORT);
            SERVED.put(dir, h);
        }
    }

    @Override
    public Optional<String> problem(HostRecord host) {
        EmbeddedSshHost h = SERVED.get(state.hostDir(host.name()));
        if (h == null || !h.anchored()) {
            return Optional.of("the namespaces of local host " + host.name() + " are gone (was the machine restarted?), or its SSH "
                    + "server could not be started again");
        }
        return h.serving() ? Optional.empty() : Optional.of("the SSH server of local host " + host.name() + " is not running");
    }

    @Override
    public void destroy(HostRecord host) {
        destroyProcesses(host);
        MachineClaims.deleteTree(state.hostDir(host.name()));
    }

    private void destroyProcesses(HostRecord host) {
        Path dir = state.hostDir(host.name());
        EmbeddedSshHost served = SERVED.remove(dir);
        if (served != null) {
            served.stop();
        }
        try {
            EmbeddedSshHost.killRecorded(dir);
        } catch (IOException | RuntimeException e) {
            // the record is unreadable or its anchor gone: nothing of it runs
        }
    }

    @Override
    public void giveBackNetwork() throws IOException {
        claims.releaseSlot(state.dir(), SLOT);
        state.forgetSlot(SLOT);
    }

    private EmbeddedSshHost host(HostRecord host) throws IOException {
        Path dir = Files.createDirectories(state.hostDir(host.name()));
        Path key = dir.resolve("ssh_host_ecdsa_key");
        if (!Files.exists(key)) {
            SshKeys.generate(key, host.name());
        }
        return new EmbeddedSshHost(host.name(), host.address(), dir, new FileKeyPairProvider(key), new ProviderAccess(host.address()));
    }

    /** Root with the provider's key; sessions get a login environment and sshd's {@code SSH_CONNECTION}. */
    private final class ProviderAccess implements EmbeddedSshHost.Access {
        private final String address;

        ProviderAccess(String address) {
            this.address = address;
        }

        @Override
        public boolean acceptsKey(String user, PublicKey key) {
            return "root".equals(user) && KeyUtils.compareKeys(login, key);
        }

        @Override
        public boolean acceptsPassword(String user, String password) {
            return false;
        }

        @Override
        public Map<String, String> environment(String user, SocketAddress client) {
            Map<String, String> env = EmbeddedSshHost.loginEnvironment(user, null);
            if (client instanceof InetSocketAddress from) {
                env.put("SSH_CONNECTION", from.getAddress().getHostAddress() + " " + from.getPort() + " " + address + " " + PORT);
            }
            return env;
        }
    }
}
