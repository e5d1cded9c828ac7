package io.slipway.testkit.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link HostFleet.Kind#NAMESPACES} fleet: real OpenSSH servers, each in its own network namespace with its own
 * address on a per-fleet Linux bridge and its own private filesystem (a mount namespace). Hosts reach each other and
 * are reached from the root namespace; nothing else is. Several fleets (in several JVMs) coexist, each on its own
 * 10.231.x.0/24. The users are real accounts of the machine with a sudoers file. Needs root.
 */
final class NamespaceFleet extends HostFleet {
    static final FleetState STATE = new FleetState(Path.of("/var/tmp/slipway-hosts"));

    private final int subnet;
    private final String bridge;
    private final String password;

    NamespaceFleet(int count) {
        this(STATE.claimFleetAfterCleaning("subnet", d -> teardown(d, FleetState.fleetId(d))), count);
    }

    private NamespaceFleet(String id, int count) {
        super(id, STATE.fleetDir(id));
        Path dir = dir();
        this.bridge = "slwbr" + id;
        try {
            this.subnet = claimSubnet(id);
            Fleet.run(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "slipway-test-client", "-f",
                    clientKey().toString()), Duration.ofSeconds(30));
            Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
            this.password = machinePassword();
            ensureUsers();
            Fleet.run(List.of("ip", "link", "add", bridge, "type", "bridge"), Duration.ofSeconds(10));
            Fleet.run(List.of("ip", "addr", "add", gateway() + "/24", "dev", bridge), Duration.ofSeconds(10));
            Fleet.run(List.of("ip", "link", "set", bridge, "up"), Duration.ofSeconds(10));
            addHosts(count);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** True when this machine can run such a fleet: root, iproute2, sshd, nsenter, unshare, sudo. */
    static boolean canRun() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        return executable("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/sudo")
                && (executable("/usr/sbin/ip") || executable("/usr/bin/ip") || executable("/sbin/ip"));
    }

    @Override
    public Kind kind() {
        return Kind.NAMESPACES;
    }

    @Override
    public String password() {
        return password;
    }

    String bridge() {
        return bridge;
    }

    @Override
    TestHost startHost(int n) throws IOException {
        String name = "slw" + id() + "h" + n;
        String address = "10.231." + subnet + "." + (10 + n);
        String veth = "slw" + id() + "v" + n;
        String peer = "slw" + id() + "p" + n;
        Path hostDir = Files.createDirectories(dir().resolve(name));
        Files.writeString(dir().resolve("netns-" + name), name);
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
                "AuthorizedKeysFile " + dir().resolve("authorized_keys"),
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
        NamespaceHost host = new NamespaceHost(name, address, veth, hostDir, config);
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
        Path keys = Files.createDirectories(STATE.root.resolve("host-keys"));
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
        Path file = Files.createDirectories(STATE.root).resolve("password");
        if (!Files.exists(file)) {
            Files.writeString(file, "Pw-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        }
        return Files.readString(file).strip();
    }

    /**
     * Creates the test users and their sudo rules once per machine, and changes them only when they differ: fleets of
     * other JVMs may be logging in as these users right now, so a password reset or a rewritten sudoers file must never
     * leave them a moment where it does not work. A file lock serializes the fleets of all JVMs here.
     */
    private void ensureUsers() {
        synchronized (NamespaceFleet.class) {
            try (FileChannel lockFile = FileChannel.open(STATE.root.resolve("users.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                for (String user : List.of(OPERATOR, PASSWORD_USER)) {
                    if (shadowHash(user) == null) {
                        Fleet.run(List.of("useradd", "-M", "-d", "/home/" + user, "-s", "/bin/bash", user), Duration.ofSeconds(20));
                    }
                }
                // a new account is locked ("!"), and sshd refuses even key logins to locked accounts
                if (!"*".equals(shadowHash(OPERATOR))) {
                    Fleet.run(List.of("usermod", "-p", "*", OPERATOR), Duration.ofSeconds(20));
                }
                setPasswordUnlessSet();
                writeIfChanged(Path.of("/etc/sudoers.d/slipway-test-hosts"), OPERATOR + " ALL=(ALL) NOPASSWD:ALL\n" + PASSWORD_USER
                        + " ALL=(ALL) ALL\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set up the test users: " + e.getMessage(), e);
            }
        }
    }

    /**
     * chpasswd salts anew each time, so what is recorded is the hash it wrote (with a digest of the password it was
     * given), and the password is set again only when /etc/shadow or the password file no longer match that record.
     */
    private void setPasswordUnlessSet() throws IOException {
        Path recorded = STATE.root.resolve("password.shadow");
        if (Files.exists(recorded) && Files.readString(recorded).strip().equals(passwordRecord(shadowHash(PASSWORD_USER)))) {
            return;
        }
        Fleet.run(List.of("sh", "-c", "printf '%s\\n' '" + PASSWORD_USER + ":" + password + "' | chpasswd"), Duration.ofSeconds(20));
        Files.writeString(recorded, passwordRecord(shadowHash(PASSWORD_USER)));
    }

    private String passwordRecord(String shadowHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest) + " " + shadowHash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The user's password field in /etc/shadow, or null when there is no such user. */
    private static String shadowHash(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/shadow"))) {
            String[] fields = line.split(":", -1);
            if (fields.length > 1 && fields[0].equals(user)) {
                return fields[1];
            }
        }
        return null;
    }

    /** sudo skips files whose names hold a dot, so the new content is written beside and renamed over atomically. */
    private static void writeIfChanged(Path sudoers, String content) throws IOException {
        if (Files.exists(sudoers) && Files.readString(sudoers).equals(content)) {
            return;
        }
        Files.createDirectories(sudoers.getParent());
        Path tmp = sudoers.resolveSibling(sudoers.getFileName() + ".new");
        Files.writeString(tmp, content);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r-----"));
        Files.move(tmp, sudoers, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Claims a /24 no other fleet (nor anything else on this machine) uses. */
    private static int claimSubnet(String id) {
        String routes = Fleet.run(List.of("ip", "-o", "addr"), Duration.ofSeconds(10)) + Fleet.run(List.of("ip", "route"), Duration.ofSeconds(10));
        return STATE.claimSlot("subnet", id, x -> !routes.contains("10.231." + x + "."));
    }

    @Override
    void teardown() {
        for (TestHost h : hosts()) {
            h.killSshd();
        }
        teardown(dir(), id());
    }

    private static void teardown(Path fleetDir, String fleetId) {
        try (Stream<Path> files = Files.exists(fleetDir) ? Files.list(fleetDir) : Stream.empty()) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("netns-")).toList()) {
                String ns = Files.readString(f).strip();
                killEverythingIn(ns);
                Fleet.quietly(List.of("ip", "netns", "del", ns));
            }
            // the subnet is free for another fleet only once the bridge holding its gateway address is gone
            deleteLinks(fleetId);
            STATE.releaseSlot(fleetDir, "subnet");
        } catch (IOException e) {
            System.err.println("[host-fleet] teardown of " + fleetDir + ": " + e.getMessage());
        }
        FleetState.deleteTree(fleetDir);
    }

    /**
     * Kills every process in a host's network namespace (sshd, sessions, daemons that hooks started) until none is left:
     * a process may fork while the previous round is being killed. Their mount namespace, with the host's bind mounts,
     * goes away with the last of them.
     */
    private static void killEverythingIn(String ns) {
        Fleet.killUntilNone(ns, () -> {
            try {
                String pids = Fleet.run(List.of("ip", "netns", "pids", ns), Duration.ofSeconds(10)).strip();
                return pids.isEmpty() ? List.of() : Stream.of(pids.split("\\s+")).map(Long::parseLong).toList();
            } catch (RuntimeException gone) {
                return List.of(); // the namespace is gone already
            }
        });
    }

    /** The bridge, and host-side veths a host that failed half-way through its start left in the root namespace. */
    private static void deleteLinks(String fleetId) {
        Pattern ours = Pattern.compile("^\\d+: (slwbr" + fleetId + "|slw" + fleetId + "[vp]\\d+)[@:]");
        String links;
        try {
            links = Fleet.run(List.of("ip", "-o", "link", "show"), Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            return;
        }
        for (String line : links.split("\n")) {
            Matcher m = ours.matcher(line);
            if (m.find()) {
                Fleet.quietly(List.of("ip", "link", "del", m.group(1)));
            }
        }
    }
}
