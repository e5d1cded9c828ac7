package io.slipway.testkit.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A fleet of test hosts: real OpenSSH servers ({@code /usr/sbin/sshd}), each in its own network namespace with its own
 * address on a per-fleet Linux bridge and its own private filesystem (a mount namespace). Hosts reach each other and
 * are reached from the root namespace; nothing else is. Several fleets (in several JVMs) coexist, each on its own
 * 10.231.x.0/24. Needs root; {@link #available()} says whether this machine can.
 *
 * <p>Users: root and {@code slipway-op} (sudo without a password) log in with {@link #clientKey()};
 * {@code slipway-pw} logs in with {@link #password()} and sudo asks it again. A host keeps its SSH host key across
 * fleets (per address), as a real machine does, so clients that pinned it are not refused by the next fleet.
 * {@link #close()} (also run at JVM exit, and for fleets a killed JVM left behind) kills every process on the hosts and
 * removes namespaces, links, bridge and files.
 */
public final class HostFleet implements AutoCloseable {
    static final Path STATE = Path.of("/var/tmp/slipway-hosts");
    private static final String OPERATOR = "slipway-op";
    private static final String PASSWORD_USER = "slipway-pw";

    private final String id;
    private final int subnet;
    private final Path dir;
    private final String bridge;
    private final Path clientKey;
    private final String password;
    private final List<TestHost> hosts = Collections.synchronizedList(new ArrayList<>());
    private final Thread shutdownHook;
    private volatile boolean closed;

    private HostFleet(int count) {
        cleanStale();
        this.id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(0x10000), 4);
        this.subnet = claimSubnet(id);
        this.dir = STATE.resolve("fleet-" + id);
        this.bridge = "slwbr" + id;
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("owner"), Long.toString(ProcessHandle.current().pid()));
            Files.writeString(dir.resolve("subnet"), Integer.toString(subnet));
            this.clientKey = dir.resolve("client_key");
            Fleet.run(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "slipway-test-client", "-f",
                    clientKey.toString()), Duration.ofSeconds(30));
            Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
            this.password = machinePassword();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.shutdownHook = new Thread(this::close, "host-fleet-" + id + "-close");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            ensureUsers();
            Fleet.run(List.of("ip", "link", "add", bridge, "type", "bridge"), Duration.ofSeconds(10));
            Fleet.run(List.of("ip", "addr", "add", gateway() + "/24", "dev", bridge), Duration.ofSeconds(10));
            Fleet.run(List.of("ip", "link", "set", bridge, "up"), Duration.ofSeconds(10));
            addHosts(count);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when this machine can run a fleet: root, iproute2, sshd, nsenter, unshare, sudo. */
    public static boolean available() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/sudo")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return false;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/usr/bin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
    }

    public List<TestHost> hosts() {
        return List.copyOf(hosts);
    }

    /** An ECDSA private key (OpenSSH format, no passphrase) authorized for root and the operator user on every host. */
    public Path clientKey() {
        return clientKey;
    }

    /** A non-root user with password-less sudo (logs in with {@link #clientKey()}). */
    public String operatorUser() {
        return OPERATOR;
    }

    /** A non-root user that logs in with {@link #password()}; sudo asks for the same password. */
    public String passwordUser() {
        return PASSWORD_USER;
    }

    public String password() {
        return password;
    }

    /** Starts {@code count} more hosts (in parallel) and returns them. */
    public List<TestHost> addHosts(int count) {
        List<TestHost> added = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TestHost>> futures = new ArrayList<>();
            int first = hosts.size() + added.size() + 1;
            for (int i = 0; i < count; i++) {
                int n = first + i;
                futures.add(pool.submit(() -> startHost(n)));
            }
            for (Future<TestHost> f : futures) {
                try {
                    added.add(f.get());
                } catch (Exception e) {
                    throw new IllegalStateException("a test host did not start: " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
                }
            }
        } finally {
            hosts.addAll(added);
            hosts.sort(Comparator.comparing(TestHost::name));
        }
        return added;
    }

    private TestHost startHost(int n) throws IOException {
        String name = "slw" + id + "h" + n;
        String address = "10.231." + subnet + "." + (10 + n);
        String veth = "slw" + id + "v" + n;
        String peer = "slw" + id + "p" + n;
        Path hostDir = Files.createDirectories(dir.resolve(name));
        Files.writeString(dir.resolve("netns-" + name), name);
        Fleet.run(List.of("ip", "netns", "add", name), Duration.ofSeconds(10));
        Fleet.run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", peer), Duration.ofSeconds(10));
        Fleet.run(List.of("ip", "link", "set", peer, "netns", name), Duration.ofSeconds(10));
        Fleet.run(List.of("ip", "link", "set", veth, "master", bridge), Duration.ofSeconds(10));
        Fleet.run(List.of("ip", "link", "set", veth, "up"), Duration.ofSeconds(10));
        netns(name, "ip", "link", "set", peer, "name", "eth0");
        netns(name, "ip", "addr", "add", address + "/24", "dev", "eth0");
        netns(name, "ip", "link", "set", "eth0", "up");
        netns(name, "ip", "link", "set", "lo", "up");
        netns(name, "ip", "route", "add", "default", "via", gateway());
        for (String privateDir : TestHost.PRIVATE.values()) {
            Files.createDirectories(hostDir.resolve("fs").resolve(privateDir));
        }
        Files.setPosixFilePermissions(hostDir.resolve("fs/tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        for (String user : List.of(OPERATOR, PASSWORD_USER)) {
            Path home = Files.createDirectories(hostDir.resolve("fs/home").resolve(user));
            Fleet.run(List.of("chown", user + ":" + user, home.toString()), Duration.ofSeconds(10));
        }
        Path hostKey = hostKey(address);
        Path config = hostDir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port 22",
                "ListenAddress " + address,
                "HostKey " + hostKey,
                "PidFile " + hostDir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication yes",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin yes",
                "StrictModes no",
                "UsePAM no",
                "PrintMotd no",
                "MaxSessions 32",
                "MaxStartups 200",
                "LogLevel ERROR",
                "Subsystem sftp /usr/lib/openssh/sftp-server",
                ""), StandardCharsets.UTF_8);
        Files.createDirectories(Path.of("/run/sshd"));
        TestHost host = new TestHost(name, address, veth, hostDir, config);
        host.startSshd();
        return host;
    }

    private static void netns(String name, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        Fleet.run(full, Duration.ofSeconds(10));
    }

    private String gateway() {
        return "10.231." + subnet + ".1";
    }

    /** The host key of an address, made once and kept: the same address shows the same key in every fleet. */
    private static synchronized Path hostKey(String address) throws IOException {
        Path keys = Files.createDirectories(STATE.resolve("host-keys"));
        Path key = keys.resolve(address);
        if (!Files.exists(key)) {
            Path tmp = keys.resolve(address + ".new-" + ProcessHandle.current().pid());
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(Path.of(tmp + ".pub"));
            Fleet.run(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", address, "-f", tmp.toString()), Duration.ofSeconds(30));
            Files.move(Path.of(tmp + ".pub"), Path.of(key + ".pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return key;
    }

    /** The password user's password: random once per machine (the account is shared by all fleets). */
    private static synchronized String machinePassword() throws IOException {
        Path file = Files.createDirectories(STATE).resolve("password");
        if (!Files.exists(file)) {
            Files.writeString(file, "Pw-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        }
        return Files.readString(file).strip();
    }

    private void ensureUsers() {
        for (String user : List.of(OPERATOR, PASSWORD_USER)) {
            try {
                Fleet.run(List.of("id", "-u", user), Duration.ofSeconds(5));
            } catch (IllegalStateException missing) {
                Fleet.run(List.of("useradd", "-M", "-d", "/home/" + user, "-s", "/bin/bash", user), Duration.ofSeconds(20));
            }
            // a new account is locked ("!"), and sshd refuses even key logins to locked accounts
            Fleet.run(List.of("usermod", "-p", "*", user), Duration.ofSeconds(20));
        }
        Fleet.run(List.of("sh", "-c", "printf '%s\\n' '" + PASSWORD_USER + ":" + password + "' | chpasswd"), Duration.ofSeconds(20));
        try {
            Files.createDirectories(Path.of("/etc/sudoers.d"));
            Files.writeString(Path.of("/etc/sudoers.d/slipway-test-hosts"), OPERATOR + " ALL=(ALL) NOPASSWD:ALL\n" + PASSWORD_USER
                    + " ALL=(ALL) ALL\n");
            Files.setPosixFilePermissions(Path.of("/etc/sudoers.d/slipway-test-hosts"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("r--r-----"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test users' sudoers file: " + e.getMessage(), e);
        }
    }

    /** Claims a /24 no other fleet (nor anything else on this machine) uses: an atomic mkdir is the lock. */
    private static int claimSubnet(String id) {
        String routes = Fleet.run(List.of("ip", "-o", "addr"), Duration.ofSeconds(10)) + Fleet.run(List.of("ip", "route"), Duration.ofSeconds(10));
        try {
            Files.createDirectories(STATE);
            for (int x = 1; x < 250; x++) {
                if (routes.contains("10.231." + x + ".")) {
                    continue;
                }
                try {
                    Files.createDirectory(STATE.resolve("subnet-" + x));
                    Files.writeString(STATE.resolve("subnet-" + x).resolve("fleet"), id);
                    return x;
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    // another fleet holds it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no free 10.231.x.0/24 for a test fleet");
    }

    /** Tears down fleets whose JVM is gone (killed before its shutdown hook ran). */
    private static synchronized void cleanStale() {
        if (!Files.isDirectory(STATE)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(STATE)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("fleet-")).toList()) {
                Path owner = d.resolve("owner");
                long pid = Files.exists(owner) ? Long.parseLong(Files.readString(owner).strip()) : -1;
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                String fleetId = d.getFileName().toString().substring("fleet-".length());
                teardown(d, fleetId);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[host-fleet] could not clean a stale fleet: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (TestHost h : hosts()) {
            h.killSshd();
        }
        teardown(dir, id);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is exiting: this is the hook
        }
    }

    private static void teardown(Path fleetDir, String fleetId) {
        try (Stream<Path> files = Files.exists(fleetDir) ? Files.list(fleetDir) : Stream.empty()) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("netns-")).toList()) {
                String ns = Files.readString(f).strip();
                String pids = "";
                try {
                    pids = Fleet.run(List.of("ip", "netns", "pids", ns), Duration.ofSeconds(10)).strip();
                } catch (RuntimeException gone) {
                    // namespace already gone
                }
                for (String pid : pids.split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Fleet.quietly(List.of("ip", "netns", "del", ns));
            }
            Fleet.quietly(List.of("ip", "link", "del", "slwbr" + fleetId));
            Path subnetFile = fleetDir.resolve("subnet");
            if (Files.exists(subnetFile)) {
                deleteTree(STATE.resolve("subnet-" + Files.readString(subnetFile).strip()));
            }
        } catch (IOException e) {
            System.err.println("[host-fleet] teardown of " + fleetDir + ": " + e.getMessage());
        }
        deleteTree(fleetDir);
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Fleet settings. */
    public static final class Builder {
        private int hosts = 3;

        public Builder hosts(int count) {
            this.hosts = count;
            return this;
        }

        public HostFleet build() {
            if (!available()) {
                throw new IllegalStateException("test hosts need root, iproute2, openssh-server, util-linux and sudo");
            }
            return new HostFleet(hosts);
        }
    }
}
