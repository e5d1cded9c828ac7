package io.slipway.testkit.hosts;

import io.slipway.provision.local.HostTools;
import io.slipway.provision.local.MachineClaims;
import io.slipway.provision.local.Netns;
import io.slipway.provision.local.OpenSshd;
import io.slipway.provision.local.PrivateFilesystem;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link HostFleet.Kind#NAMESPACES} fleet: real OpenSSH servers, each in its own network namespace with its own
 * address on a per-fleet Linux bridge and its own private filesystem (a mount namespace). Hosts reach each other and
 * are reached from the root namespace; nothing else is. Several fleets (in several JVMs) coexist, each on its own
 * 10.231.x.0/24. The users are real accounts of the machine with a sudoers file. Needs root.
 */
final class NamespaceFleet extends HostFleet {
    static final MachineClaims STATE = MachineClaims.NAMESPACES;

    private final int subnet;
    private final String bridge;
    private final String password;

    NamespaceFleet(int count) {
        this(STATE.claimFleetAfterCleaning("subnet", d -> teardown(d, MachineClaims.fleetId(d))), count);
    }

    private NamespaceFleet(String id, int count) {
        super(id, STATE.fleetDir(id));
        Path dir = dir();
        this.bridge = "slwbr" + id;
        try {
            this.subnet = claimSubnet(id);
            HostTools.run(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "slipway-test-client", "-f",
                    clientKey().toString()), Duration.ofSeconds(30));
            Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
            this.password = machinePassword();
            ensureUsers();
            Netns.createBridge(bridge, subnet);
            addHosts(count);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** True when this machine can run such a fleet: root, iproute2, sshd, nsenter, unshare, sudo. */
    static boolean canRun() {
        return Netns.canRun() && executable("/usr/bin/sudo");
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
        String address = Netns.address(subnet, n);
        String veth = "slw" + id() + "v" + n;
        String peer = "slw" + id() + "p" + n;
        Path hostDir = Files.createDirectories(dir().resolve(name));
        Files.writeString(dir().resolve("netns-" + name), name);
        Netns.createHost(name, veth, peer, bridge, address, Netns.gateway(subnet));
        new PrivateFilesystem(hostDir).create();
        for (String user : List.of(OPERATOR, PASSWORD_USER)) {
            Path home = Files.createDirectories(hostDir.resolve("fs/home").resolve(user));
            HostTools.run(List.of("chown", user + ":" + user, home.toString()), Duration.ofSeconds(10));
        }
        Path hostKey = hostKey(address);
        Path config = hostDir.resolve("sshd_config");
        OpenSshd.writeConfig(config, new OpenSshd.Config(address, hostKey, hostDir.resolve("sshd.pid"), dir().resolve("authorized_keys"), true));
        NamespaceHost host = new NamespaceHost(name, address, veth, hostDir, config, hostKey);
        host.startSshd();
        return host;
    }

    /** The host key of an address, made once and kept: the same address shows the same key in every fleet. */
    private static synchronized Path hostKey(String address) throws IOException {
        Path keys = Files.createDirectories(STATE.root().resolve("host-keys"));
        Path key = keys.resolve(address);
        if (!Files.exists(key)) {
            OpenSshd.generateKey(key, address);
        }
        return key;
    }

    /** The password user's password: random once per machine (the account is shared by all fleets). */
    private static synchronized String machinePassword() throws IOException {
        Path file = Files.createDirectories(STATE.root()).resolve("password");
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
            try (FileChannel lockFile = FileChannel.open(STATE.root().resolve("users.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                for (String user : List.of(OPERATOR, PASSWORD_USER)) {
                    if (shadowHash(user) == null) {
                        HostTools.run(List.of("useradd", "-M", "-d", "/home/" + user, "-s", "/bin/bash", user), Duration.ofSeconds(20));
                    }
                }
                // a new account is locked ("!"), and sshd refuses even key logins to locked accounts
                if (!"*".equals(shadowHash(OPERATOR))) {
                    HostTools.run(List.of("usermod", "-p", "*", OPERATOR), Duration.ofSeconds(20));
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
        Path recorded = STATE.root().resolve("password.shadow");
        if (Files.exists(recorded) && Files.readString(recorded).strip().equals(passwordRecord(shadowHash(PASSWORD_USER)))) {
            return;
        }
        HostTools.run(List.of("sh", "-c", "printf '%s\\n' '" + PASSWORD_USER + ":" + password + "' | chpasswd"), Duration.ofSeconds(20));
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
        String routes = Netns.addressesAndRoutes();
        return STATE.claimSlot("subnet", id, x -> Netns.subnetUnused(x, routes));
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
                Netns.delete(ns);
            }
            // the subnet is free for another fleet only once the bridge holding its gateway address is gone
            Netns.deleteLinks(Pattern.compile("slwbr" + fleetId + "|slw" + fleetId + "[vp]\\d+"));
            STATE.releaseSlot(fleetDir, "subnet");
        } catch (IOException e) {
            System.err.println("[host-fleet] teardown of " + fleetDir + ": " + e.getMessage());
        }
        MachineClaims.deleteTree(fleetDir);
    }
}
