package io.slipway.testkit.hosts;

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
    static final Map<String, String> PRIVATE = Map.of("/var/lib/slipway", "var-lib-slipway", "/etc/slipway", "etc-slipway",
            "/tmp", "tmp", "/root", "root", "/home", "home", "/opt", "opt", "/run/slipway", "run-slipway",
            "/usr/local/bin", "usr-local-bin");

    private final String name;
    private final String address;
    final Path dir;

    TestHost(String name, String address, Path dir) {
        this.name = name;
        this.address = address;
        this.dir = dir;
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

    /** The machine-side path of a file in the host's private filesystem (for assertions). */
    public Path path(String inHost) {
        for (Map.Entry<String, String> e : PRIVATE.entrySet()) {
            String prefix = e.getKey();
            if (inHost.equals(prefix) || inHost.startsWith(prefix + "/")) {
                return fsDir(e.getValue()).resolve(inHost.substring(prefix.length()).replaceFirst("^/", ""));
            }
        }
        throw new IllegalArgumentException(inHost + " is not in a host's private filesystem " + PRIVATE.keySet());
    }

    Path fsDir(String privateName) {
        return dir.resolve("fs").resolve(privateName);
    }

    /**
     * Shell lines that, run as root of a fresh mount namespace, lay each private directory over its path without
     * changing the machine: a path the machine lacks is made in a tmpfs laid over its parent that shows the parent's
     * entries again (each bound back from a bind of the original), so no host leaves {@code /var/lib/slipway} and its
     * like behind (which would also hide this path from the next run). {@code mount -n} everywhere: libmount would
     * otherwise record each mount in {@code /run/mount/utab}, creating {@code /run/mount} on the machine (the first
     * mount runs before {@code /run} is shadowed) and again in the tmpfs laid over {@code /run}, where the entry bound
     * back from the machine then collided with it ("mkdir: cannot create directory '/run/mount': File exists", the
     * first run on a new machine). Entries are bound back only when missing, and one that vanished meanwhile is
     * skipped, so a directory appearing or disappearing in a shadowed parent while the host starts cannot fail it.
     */
    String privateMounts() {
        StringBuilder script = new StringBuilder("""
                set -e
                H='%s'
                shadow() {
                  keep="$H/.shadow$1"; mkdir -p "$keep"; mount -n --rbind "$1" "$keep"
                  mount -n -t tmpfs -o mode=755 slipway-host "$1"
                  for e in "$keep"/* "$keep"/.[!.]* "$keep"/..?*; do
                    [ -e "$e" ] || [ -L "$e" ] || continue
                    n="${e##*/}"
                    if [ -L "$e" ]; then [ -e "$1/$n" ] || [ -L "$1/$n" ] || cp -P "$e" "$1/$n"
                    elif [ -d "$e" ]; then mkdir -p "$1/$n"; mount -n --rbind "$e" "$1/$n" || [ ! -e "$e" ]
                    else [ -e "$1/$n" ] || : > "$1/$n"; mount -n --bind "$e" "$1/$n" || [ ! -e "$e" ]; fi
                  done
                }
                private() {
                  if [ ! -d "$1" ]; then shadow "${1%%/*}"; mkdir -p "$1"; fi
                  mount -n --bind "$2" "$1"
                }
                """.formatted(dir));
        PRIVATE.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                script.append("private '").append(e.getKey()).append("' '").append(fsDir(e.getValue())).append("'\n"));
        return script.toString();
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
