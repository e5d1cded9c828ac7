package io.slipway.testkit.hosts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A test host of a {@link HostFleet.Kind#EMBEDDED} fleet, for machines without root: an Apache MINA SSHD server on its
 * own loopback address, reached through a {@link HostLink} (where link faults are made), running every command in the
 * host's own user and mount namespace. An "anchor" process ({@code unshare --user --map-root-user --mount}) holds those
 * namespaces: in them the host's private directories are bind-mounted over {@code /var/lib/slipway}, {@code /tmp},
 * {@code /root}... (a directory the machine lacks, as {@code /etc/slipway}, is made in a tmpfs laid over its parent
 * that shows the parent's entries again), and uid 0 is the user running the tests. Commands run as that root whatever
 * the login user; {@code sudo} is the fleet's stand-in, which asks the password user for its password as sudo would.
 */
final class EmbeddedHost extends TestHost {
    static final int PORT = 2222;
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final EmbeddedFleet fleet;
    private final SimpleGeneratorHostKeyProvider hostKey;
    private Process anchor;
    private String mountNamespace;
    private SshServer server;
    private HostLink link;

    EmbeddedHost(EmbeddedFleet fleet, String name, String address, Path dir, Path hostKeyFile) {
        super(name, address, dir);
        this.fleet = fleet;
        this.hostKey = new SimpleGeneratorHostKeyProvider(hostKeyFile);
        hostKey.setAlgorithm(KeyUtils.EC_ALGORITHM);
        hostKey.setKeySize(256);
    }

    @Override
    public int port() {
        return PORT;
    }

    void start() throws IOException {
        for (String privateDir : PRIVATE.values()) {
            Files.createDirectories(fsDir(privateDir));
        }
        Files.setPosixFilePermissions(fsDir("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        for (String user : List.of(HostFleet.OPERATOR, HostFleet.PASSWORD_USER)) {
            Files.createDirectories(fsDir("home").resolve(user));
        }
        startAnchor();
        startSshd();
    }

    /** Starts the process that holds the host's namespaces, with the private directories mounted, and records it. */
    private void startAnchor() throws IOException {
        StringBuilder script = new StringBuilder(privateMounts());
        script.append("echo ready\nexec sleep infinity < /dev/null > /dev/null 2>&1\n");
        Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "sh", "-c",
                script.toString()).redirectError(dir.resolve("anchor.log").toFile()).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException(name() + ": its namespaces could not be made: " + Files.readString(dir.resolve("anchor.log")));
        }
        anchor = p;
        mountNamespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "ns", "mnt")).toString();
        Files.writeString(dir.resolve("anchor"), p.pid() + " " + mountNamespace);
    }

    long anchorPid() {
        return anchor.pid();
    }

    /** The command line that runs {@code command} as the host's root, in its namespaces, from the user's home. */
    List<String> shell(String command) {
        return List.of("nsenter", "--target", Long.toString(anchor.pid()), "--user", "--mount", "--preserve-credentials", "--",
                "/bin/sh", "-c", "cd \"$HOME\" 2>/dev/null || cd /; exec /bin/sh -c \"$1\"", "sh", command);
    }

    /** What sshd gives a login session, plus the sudo stand-in on the PATH and whether it must ask for a password. */
    Map<String, String> loginEnvironment(String user, SocketAddress client) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "root".equals(user) ? "/root" : "/home/" + user);
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("SHELL", "/bin/sh");
        env.put("PATH", fleet.binDir() + ":" + PATH);
        env.put("LANG", "C.UTF-8");
        env.put("SLIPWAY_TEST_SUDO", "root".equals(user) ? "root" : HostFleet.PASSWORD_USER.equals(user) ? "password" : "nopasswd");
        if (link.clientOf(client) instanceof InetSocketAddress from) {
            env.put("SSH_CONNECTION", from.getAddress().getHostAddress() + " " + from.getPort() + " " + address() + " " + PORT);
        }
        return env;
    }

    @Override
    public String exec(String shell) {
        List<String> cmd = new ArrayList<>(shell(shell));
        try {
            return Fleet.run(cmd, Duration.ofMinutes(2));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void startSshd() {
        if (server != null) {
            return;
        }
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost(address());
        s.setPort(0);
        s.setKeyPairProvider(hostKey);
        s.setPublickeyAuthenticator((user, key, session) -> fleet.acceptsKey(user, key));
        s.setPasswordAuthenticator((user, password, session) -> fleet.acceptsPassword(user, password));
        s.setKeyboardInteractiveAuthenticator(null);
        s.setCommandFactory((channel, command) -> new HostCommand(this, command));
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException(name() + ": the SSH server did not start: " + e.getMessage(), e);
        }
        server = s;
        if (link == null) {
            link = new HostLink(new InetSocketAddress(address(), PORT), new InetSocketAddress(address(), s.getPort()));
        } else {
            link.retarget(new InetSocketAddress(address(), s.getPort()));
        }
        link.up();
        HostFleet.awaitPort(name() + "'s SSH server", address(), PORT, Duration.ofSeconds(15), () -> false, () -> "");
    }

    @Override
    public synchronized void killSshd() {
        if (link != null) {
            link.down();
        }
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException ignored) {
                // stopping anyway
            }
            server = null;
        }
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
        if (mountNamespace != null) {
            killNamespace(mountNamespace);
        }
        if (anchor != null) {
            anchor.destroyForcibly();
            try {
                anchor.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * SIGKILLs every process whose mount namespace is {@code ns} until none is left (a process may fork while the
     * previous round is killed); the namespace, with the host's mounts, goes with the last of them.
     */
    static void killNamespace(String ns) {
        Fleet.killUntilNone(ns, () -> {
            List<Long> pids = new ArrayList<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                    try {
                        if (ns.equals(Files.readSymbolicLink(proc.resolve("ns/mnt")).toString())) {
                            pids.add(Long.parseLong(proc.getFileName().toString()));
                        }
                    } catch (IOException notOursOrGone) {
                        // another user's process, or one that just exited
                    }
                }
            } catch (IOException e) {
                return List.of();
            }
            return pids;
        });
    }
}
