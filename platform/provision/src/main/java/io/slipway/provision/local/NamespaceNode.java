package io.slipway.provision.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One host of a local provider on the machine: network namespace {@code <name>} with its address on the provider's
 * bridge, an OpenSSH server of its own (own host key, root logs in with the provider's key) in a mount namespace over
 * the host's {@link PrivateFilesystem}. sshd runs in a session of its own, so it outlives the JVM; its pid is recorded
 * in {@code sshd.pid}, and everything in the namespace is found again with {@code ip netns pids}.
 */
final class NamespaceNode {
    private static final Duration SSHD_START = Duration.ofSeconds(15);

    private final String name;
    private final String address;
    private final Path dir;
    private final String veth;
    private final String peer;

    /** {@code veth} and {@code peer} name the two ends of the host's link (at most 15 characters, as Linux wants). */
    NamespaceNode(String name, String address, Path dir, String veth, String peer) {
        this.name = name;
        this.address = address;
        this.dir = dir;
        this.veth = veth;
        this.peer = peer;
    }

    /**
     * Makes the host and starts its sshd, waiting until it accepts connections. A host a crash left half made is torn
     * down first, so this can be repeated; the host key and the files of an earlier attempt are kept.
     */
    void build(String bridge, String gateway, Path authorizedKeys) throws IOException {
        teardownNetwork();
        Netns.createHost(name, veth, peer, bridge, address, gateway);
        PrivateFilesystem fs = new PrivateFilesystem(dir);
        fs.create();
        Path hostKey = dir.resolve("ssh_host_ecdsa_key");
        if (!Files.exists(hostKey)) {
            OpenSshd.generateKey(hostKey, name);
        }
        Path config = dir.resolve("sshd_config");
        OpenSshd.writeConfig(config, new OpenSshd.Config(address, hostKey, dir.resolve("sshd.pid"), authorizedKeys, false));
        Path log = dir.resolve("sshd.log");
        Process sshd = OpenSshd.start(name, fs, config, log, true);
        Files.writeString(dir.resolve("sshd.pid"), Long.toString(sshd.pid()));
        HostTools.awaitPort(name + ": sshd", address, 22, SSHD_START, () -> !sshd.isAlive(), () -> OpenSshd.tail(log));
    }

    /** Whether the namespace exists and the sshd started in it still runs there. */
    Optional<String> problem() {
        if (!Netns.exists(name)) {
            return Optional.of("the network namespace of local host " + name + " is gone (was the machine restarted?)");
        }
        Optional<Long> pid = sshdPid();
        if (pid.isEmpty() || !Netns.pids(name).contains(pid.get())) {
            return Optional.of("the sshd of local host " + name + " is not running");
        }
        return Optional.empty();
    }

    Optional<Long> sshdPid() {
        try {
            Path file = dir.resolve("sshd.pid");
            return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file).strip())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Tears the host down completely: every process in its namespace (sshd, sessions, daemons) killed, which ends its
     * mount namespace and mounts; the namespace deleted (its end of the veth pair with it, and its address); the
     * machine's end of the pair if it is left; the host's directory.
     */
    void destroy() {
        teardownNetwork();
        MachineClaims.deleteTree(dir);
    }

    private void teardownNetwork() {
        Netns.delete(name);
        Netns.deleteLinks(Pattern.compile(Pattern.quote(veth) + "|" + Pattern.quote(peer)));
    }
}
