package io.slipway.provision.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;

/**
 * A local host for machines without root: an Apache MINA SSHD server on its own loopback address (every 127/8 address
 * is this machine's), running every command in the host's own user and mount namespace. An "anchor" process
 * ({@code unshare --user --map-root-user --mount}) holds those namespaces: in them the host's
 * {@link PrivateFilesystem} is laid over the machine's paths, and uid 0 is the user running the JVM. Commands run as
 * that root whatever the login user. The server lives in this JVM; the anchor is recorded in {@code <dir>/anchor}
 * (pid and mount namespace), so whoever finds the directory later can kill what runs in the host.
 */
public final class EmbeddedSshHost {
    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Who may log in, and the environment a session gets. */
    public interface Access {
        boolean acceptsKey(String user, PublicKey key);

        boolean acceptsPassword(String user, String password);

        /** The environment of a session of {@code user} whose client connected from {@code client}. */
        Map<String, String> environment(String user, SocketAddress client);
    }

    private final String name;
    private final String address;
    private final Path dir;
    private final PrivateFilesystem fs;
    private final KeyPairProvider hostKey;
    private final Access access;
    private ProcessHandle anchor;
    private String mountNamespace;
    private SshServer server;

    public EmbeddedSshHost(String name, String address, Path dir, KeyPairProvider hostKey, Access access) {
        this.name = name;
        this.address = address;
        this.dir = dir;
        this.fs = new PrivateFilesystem(dir);
        this.access = access;
        this.hostKey = hostKey;
    }

    /** True when this machine lets the current user make a user and mount namespace (and has nsenter to enter it). */
    public static boolean canRun() {
        if (!HostTools.executable("/usr/bin/unshare", "/usr/bin/nsenter")) {
            return false;
        }
        try {
            HostTools.run(List.of("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "true"), Duration.ofSeconds(10));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public String address() {
        return address;
    }

    public PrivateFilesystem filesystem() {
        return fs;
    }

    /** Makes the private directories (and {@code homes} under {@code /home}) and the namespaces holding them. */
    public void createNamespaces(List<String> homes) throws IOException {
        fs.create();
        for (String user : homes) {
            Files.createDirectories(fs.dir("home").resolve(user));
        }
        startAnchor();
    }

    /** Starts the process that holds the host's namespaces, with the private directories mounted, and records it. */
    private void startAnchor() throws IOException {
        String script = fs.mountScript() + "echo ready\nexec sleep infinity < /dev/null > /dev/null 2>&1\n";
        Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "sh", "-c",
                script).redirectError(dir.resolve("anchor.log").toFile()).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + ": its namespaces could not be made: " + Files.readString(dir.resolve("anchor.log")));
        }
        anchor = p.toHandle();
        mountNamespace = mountNamespaceOf(p.pid());
        Files.writeString(dir.resolve("anchor"), p.pid() + " " + mountNamespace);
    }

    public long anchorPid() {
        return anchor.pid();
    }

    /**
     * Takes over the namespaces an earlier process made for this host (recorded in {@code <dir>/anchor}), so a new JVM
     * serves a host the previous one made; false when its anchor is gone (the host's namespaces with it).
     */
    public synchronized boolean adopt() throws IOException {
        Path record = dir.resolve("anchor");
        if (!Files.exists(record)) {
            return false;
        }
        String[] fields = Files.readString(record).strip().split(" ", 2);
        long pid = Long.parseLong(fields[0]);
        if (fields.length < 2 || !fields[1].equals(mountNamespaceOf(pid))) {
            return false;
        }
        anchor = ProcessHandle.of(pid).orElse(null);
        mountNamespace = fields[1];
        return anchor != null;
    }

    /** Whether the process holding the host's namespaces still runs. */
    public synchronized boolean anchored() {
        return anchor != null && anchor.isAlive() && mountNamespace != null && mountNamespace.equals(mountNamespaceOf(anchor.pid()));
    }

    /** The command line that runs {@code command} as the host's root, in its namespaces, from the user's home. */
    public List<String> shell(String command) {
        return List.of("nsenter", "--target", Long.toString(anchor.pid()), "--user", "--mount", "--preserve-credentials", "--",
                "/bin/sh", "-c", "cd \"$HOME\" 2>/dev/null || cd /; exec /bin/sh -c \"$1\"", "sh", command);
    }

    Map<String, String> environment(String user, SocketAddress client) {
        return access.environment(user, client);
    }

    /** What sshd gives a login session: home, user, shell, {@code PATH} (with {@code pathPrefix} first, when given). */
    public static Map<String, String> loginEnvironment(String user, String pathPrefix) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "root".equals(user) ? "/root" : "/home/" + user);
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("SHELL", "/bin/sh");
        env.put("PATH", pathPrefix == null ? PATH : pathPrefix + ":" + PATH);
        env.put("LANG", "C.UTF-8");
        return env;
    }

    /** {@code SSH_CONNECTION} as sshd sets it, for a client at {@code from} of the server at this host's {@code port}. */
    public String sshConnection(InetSocketAddress from, int port) {
        return from.getAddress().getHostAddress() + " " + from.getPort() + " " + address + " " + port;
    }

    /** Runs {@code shell} on the host (as root, in its filesystem) and returns its stdout; non-zero throws. */
    public String exec(String shell) {
        try {
            return HostTools.run(new ArrayList<>(shell(shell)), Duration.ofMinutes(2));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** Starts the SSH server on {@code port} of the host's address (0: any free port) and returns the port it took. */
    public synchronized int startServer(int port) {
        if (server != null) {
            return server.getPort();
        }
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost(address);
        s.setPort(port);
        s.setKeyPairProvider(hostKey);
        s.setPublickeyAuthenticator((user, key, session) -> access.acceptsKey(user, key));
        s.setPasswordAuthenticator((user, password, session) -> access.acceptsPassword(user, password));
        s.setKeyboardInteractiveAuthenticator(null);
        s.setCommandFactory((channel, command) -> new EmbeddedCommand(this, command));
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": the SSH server did not start: " + e.getMessage(), e);
        }
        server = s;
        return s.getPort();
    }

    public synchronized boolean serving() {
        return server != null && server.isStarted();
    }

    public synchronized void stopServer() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException ignored) {
                // stopping anyway
            }
            server = null;
        }
    }

    /** Stops the server, then kills everything in the host's namespaces (what hooks started too). */
    public synchronized void stop() {
        stopServer();
        if (mountNamespace != null) {
            killNamespace(mountNamespace);
        }
        if (anchor != null) {
            anchor.destroyForcibly();
            try {
                anchor.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // killed above; a zombie the JDK has not reaped yet is gone from its namespaces already
            }
        }
    }

    /**
     * Kills what runs in the namespaces a host directory's {@code anchor} file records, only while the anchor still
     * holds them: a namespace nothing holds is gone, and its id may name a new one.
     */
    public static void killRecorded(Path hostDir) throws IOException {
        Path anchor = hostDir.resolve("anchor");
        if (Files.exists(anchor)) {
            String[] fields = Files.readString(anchor).strip().split(" ", 2);
            if (fields.length == 2 && fields[1].equals(mountNamespaceOf(Long.parseLong(fields[0])))) {
                killNamespace(fields[1]);
            }
        }
    }

    public static String mountNamespaceOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "mnt")).toString();
        } catch (IOException gone) {
            return null;
        }
    }

    /**
     * SIGKILLs every process whose mount namespace is {@code ns} until none is left (a process may fork while the
     * previous round is killed); the namespace, with the host's mounts, goes with the last of them.
     */
    public static void killNamespace(String ns) {
        HostTools.killUntilNone(ns, () -> {
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
