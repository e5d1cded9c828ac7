package io.slipway.testkit.hosts;

import io.slipway.provision.local.EmbeddedSshHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A test host of a {@link HostFleet.Kind#EMBEDDED} fleet, for machines without root: an {@link EmbeddedSshHost} (MINA
 * SSHD on its own loopback address, commands in the host's own user and mount namespace) reached through a
 * {@link HostLink}, where link faults are made. Commands run as the namespace's root whatever the login user;
 * {@code sudo} is the fleet's stand-in, which asks the password user for its password as sudo would.
 */
final class EmbeddedHost extends TestHost {
    static final int PORT = 2222;

    private final EmbeddedFleet fleet;
    private final EmbeddedSshHost core;
    private final SimpleGeneratorHostKeyProvider hostKey;
    private HostLink link;

    EmbeddedHost(EmbeddedFleet fleet, String name, String address, Path dir, Path hostKeyFile) {
        super(name, address, dir);
        this.fleet = fleet;
        SimpleGeneratorHostKeyProvider hostKey = new SimpleGeneratorHostKeyProvider(hostKeyFile);
        hostKey.setAlgorithm(KeyUtils.EC_ALGORITHM);
        hostKey.setKeySize(256);
        this.hostKey = hostKey;
        this.core = new EmbeddedSshHost(name, address, dir, hostKey, new FleetAccess());
    }

    @Override
    public int port() {
        return PORT;
    }

    @Override
    public String hostKey() {
        try {
            return org.apache.sshd.common.config.keys.PublicKeyEntry.toString(hostKey.loadKeys(null).iterator().next().getPublic());
        } catch (Exception e) {
            throw new IllegalStateException(name() + ": cannot read its host key: " + e.getMessage(), e);
        }
    }

    void start() throws IOException {
        core.createNamespaces(List.of(HostFleet.OPERATOR, HostFleet.PASSWORD_USER));
        startSshd();
    }

    long anchorPid() {
        return core.anchorPid();
    }

    /** The command line that runs {@code command} as the host's root, in its namespaces, from the user's home. */
    List<String> shell(String command) {
        return core.shell(command);
    }

    /** What sshd gives a login session, plus the sudo stand-in on the PATH and whether it must ask for a password. */
    Map<String, String> loginEnvironment(String user, SocketAddress client) {
        Map<String, String> env = EmbeddedSshHost.loginEnvironment(user, fleet.binDir().toString());
        env.put("SLIPWAY_TEST_SUDO", "root".equals(user) ? "root" : HostFleet.PASSWORD_USER.equals(user) ? "password" : "nopasswd");
        if (link.clientOf(client) instanceof InetSocketAddress from) {
            env.put("SSH_CONNECTION", core.sshConnection(from, PORT));
        }
        return env;
    }

    @Override
    public String exec(String shell) {
        return core.exec(shell);
    }

    /** Starts the server on a port of its own and the link on {@value #PORT} in front of it, where faults are made. */
    @Override
    public synchronized void startSshd() {
        if (core.serving()) {
            return;
        }
        int port = core.startServer(0);
        if (link == null) {
            link = new HostLink(new InetSocketAddress(address(), PORT), new InetSocketAddress(address(), port));
        } else {
            link.retarget(new InetSocketAddress(address(), port));
        }
        link.up();
        HostFleet.awaitPort(name() + "'s SSH server", address(), PORT, Duration.ofSeconds(15), () -> false, () -> "");
    }

    @Override
    public synchronized void killSshd() {
        if (link != null) {
            link.down();
        }
        core.stopServer();
    }

    @Override
    public void cutLink() {
        link.cut();
    }

    @Override
    public void restoreLink() {
        link.restore();
        HostFleet.awaitPort(name() + "'s SSH server", address(), PORT, Duration.ofSeconds(15), () -> false, () -> "");
    }

    @Override
    public void slow(Duration delay, String rate) {
        link.shape(delay, rate == null ? 0 : bytesPerSecond(rate));
    }

    @Override
    public void clearSlow() {
        link.shape(Duration.ZERO, 0);
    }

    /** tc's rate units: bit, kbit, mbit, gbit (per second), or bps, kbps, mbps (bytes per second). */
    static long bytesPerSecond(String rate) {
        Matcher m = Pattern.compile("(\\d+)(bit|kbit|mbit|gbit|bps|kbps|mbps)").matcher(rate.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("rate '" + rate + "' is not a tc rate such as 8mbit or 500kbit");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "bit" -> n / 8;
            case "kbit" -> n * 1000 / 8;
            case "mbit" -> n * 1_000_000 / 8;
            case "gbit" -> n * 1_000_000_000 / 8;
            case "bps" -> n;
            case "kbps" -> n * 1000;
            default -> n * 1_000_000;
        };
    }

    /** Stops the server and the link, then kills everything in the host's namespaces (what hooks started too). */
    synchronized void stop() {
        killSshd();
        if (link != null) {
            link.close();
        }
        core.stop();
    }

    /** The fleet's logins, and the session environment this host gives them. */
    private final class FleetAccess implements EmbeddedSshHost.Access {
        @Override
        public boolean acceptsKey(String user, PublicKey key) {
            return fleet.acceptsKey(user, key);
        }

        @Override
        public boolean acceptsPassword(String user, String password) {
            return fleet.acceptsPassword(user, password);
        }

        @Override
        public Map<String, String> environment(String user, SocketAddress client) {
            return loginEnvironment(user, client);
        }
    }
}
