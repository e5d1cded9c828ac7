package io.slipway.testkit.hosts;

import io.slipway.provision.local.PrivateFilesystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One test host: an SSH server with its own address and its own private filesystem, where {@code /var/lib/slipway},
 * {@code /etc/slipway}, {@code /tmp}, {@code /root}, {@code /home}, {@code /opt}, {@code /run/slipway} and
 * {@code /usr/local/bin} are the host's own directories. Faults can be injected: a cut link, a dead sshd, a slow link.
 * A {@link HostFleet} of kind {@link HostFleet.Kind#NAMESPACES} runs OpenSSH in network namespaces; one of kind
 * {@link HostFleet.Kind#EMBEDDED} runs MINA SSHD servers on loopback addresses, for machines without root.
 */
public abstract sealed class TestHost permits NamespaceHost, EmbeddedHost {
    /** Paths private to each host, and the directory name each is kept under on the machine. */
    static final Map<String, String> PRIVATE = PrivateFilesystem.PATHS;

    private final String name;
    private final String address;
    final Path dir;
    final PrivateFilesystem fs;

    TestHost(String name, String address, Path dir) {
        this.name = name;
        this.address = address;
        this.dir = dir;
        this.fs = new PrivateFilesystem(dir);
    }

    public String name() {
        return name;
    }

    /** The host's address, reachable from the machine and from every other host of the fleet. */
    public String address() {
        return address;
    }

    /** The port its SSH server listens on: 22 on namespace hosts, another on embedded ones (no root, no port 22). */
    public abstract int port();

    /** The host's SSH host key as {@code ssh-keyscan} prints it ({@code keytype base64}), to pin before first contact. */
    public abstract String hostKey();

    /** The machine-side path of a file in the host's private filesystem (for assertions). */
    public Path path(String inHost) {
        return fs.path(inHost);
    }

    Path fsDir(String privateName) {
        return fs.dir(privateName);
    }

    /** Runs {@code shell} on the host (as root, in its filesystem and network) and returns its stdout; non-zero throws. */
    public abstract String exec(String shell);

    /** Cuts the host off: nothing it sent or is sent arrives any more, and connects time out, as with a cut cable. */
    public abstract void cutLink();

    /** Puts the link back; what was in flight arrives, as TCP retransmits would deliver it. */
    public abstract void restoreLink();

    /** Kills the host's SSH server (connections are refused until {@link #startSshd()}). */
    public abstract void killSshd();

    /** Starts the SSH server (again) and waits until it accepts connections. */
    public abstract void startSshd();

    /**
     * Slows what the host sends: {@code delay} added to it and {@code rate} (tc's units: {@code 8mbit}, {@code 500kbit})
     * capping it. A host that cannot do one of the two refuses with {@link UnsupportedOperationException}.
     */
    public abstract void slow(Duration delay, String rate);

    public abstract void clearSlow();

    @Override
    public String toString() {
        return name + "@" + address + ":" + port();
    }
}
