package io.slipway.testkit.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One test host: a real OpenSSH server in its own network namespace (own address on the fleet's bridge) and its own
 * mount namespace, where {@code /var/lib/slipway}, {@code /etc/slipway}, {@code /tmp}, {@code /root}, {@code /home},
 * {@code /opt}, {@code /run/slipway} and {@code /usr/local/bin} are the host's private directories. Faults can be
 * injected: a cut link, a dead sshd, a slow link.
 */
public final class TestHost {
    /** Paths private to each host, and the directory name each is kept under on the machine. */
    static final Map<String, String> PRIVATE = Map.of("/var/lib/slipway", "var-lib-slipway", "/etc/slipway", "etc-slipway",
            "/tmp", "tmp", "/root", "root", "/home", "home", "/opt", "opt", "/run/slipway", "run-slipway",
            "/usr/local/bin", "usr-local-bin");

    private final String name;
    private final String address;
    private final String veth;
    private final Path dir;
    private final Path sshdConfig;
    private Process sshd;

    TestHost(String name, String address, String veth, Path dir, Path sshdConfig) {
        this.name = name;
        this.address = address;
        this.veth = veth;
        this.dir = dir;
        this.sshdConfig = sshdConfig;
    }

    public String name() {
        return name;
    }

    /** The host's address, reachable from the root namespace and from every other host of the fleet. */
    public String address() {
        return address;
    }

    public int port() {
        return 22;
    }

    String netns() {
        return name;
    }

    String veth() {
        return veth;
    }

    /** The machine-side path of a file in the host's private filesystem (for assertions). */
    public Path path(String inHost) {
        for (Map.Entry<String, String> e : PRIVATE.entrySet()) {
            String prefix = e.getKey();
            if (inHost.equals(prefix) || inHost.startsWith(prefix + "/")) {
                return dir.resolve("fs").resolve(e.getValue()).resolve(inHost.substring(prefix.length()).replaceFirst("^/", ""));
            }
        }
        throw new IllegalArgumentException(inHost + " is not in a host's private filesystem " + PRIVATE.keySet());
    }

    Path fsDir(String privateName) {
        return dir.resolve("fs").resolve(privateName);
    }

    /** Runs {@code shell} inside the host's namespaces (as root) and returns its stdout; a non-zero exit throws. */
    public String exec(String shell) {
        long pid = sshdPid();
        try {
            return Fleet.run(List.of("nsenter", "--target", Long.toString(pid), "--net", "--mount", "sh", "-c", shell), Duration.ofMinutes(2));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** Takes the host's link down: its peers' packets are dropped (connects time out), as a cut cable would. */
    public void cutLink() {
        Fleet.run(List.of("ip", "link", "set", veth, "down"), Duration.ofSeconds(10));
    }

    public void restoreLink() {
        Fleet.run(List.of("ip", "link", "set", veth, "up"), Duration.ofSeconds(10));
        awaitSshd(Duration.ofSeconds(15));
    }

    /** Kills the host's sshd (connections are refused until {@link #startSshd()}). */
    public synchronized void killSshd() {
        if (sshd != null) {
            sshd.destroyForcibly();
            try {
                sshd.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts sshd (again) in the host's namespaces, and waits until it accepts connections. */
    public synchronized void startSshd() {
        StringBuilder script = new StringBuilder("set -e\n");
        for (Map.Entry<String, String> e : PRIVATE.entrySet()) {
            script.append("mkdir -p '").append(e.getKey()).append("'; mount --bind '").append(fsDir(e.getValue())).append("' '")
                    .append(e.getKey()).append("'\n");
        }
        script.append("exec /usr/sbin/sshd -D -e -f '").append(sshdConfig).append("'\n");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, "unshare", "--mount", "--propagation", "private",
                "sh", "-c", script.toString()));
        try {
            sshd = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start sshd for " + name + ": " + e.getMessage(), e);
        }
        awaitSshd(Duration.ofSeconds(15));
    }

    /**
     * Slows the host's outgoing traffic: with netem, {@code delay} is added to every packet (and {@code rate} caps it);
     * kernels without netem (as this project's CI VM) get the rate cap alone, by a token bucket, and a delay is refused.
     */
    public void slow(Duration delay, String rate) {
        List<String> netem = new ArrayList<>(List.of("ip", "netns", "exec", name, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem",
                "delay", delay.toMillis() + "ms"));
        if (rate != null) {
            netem.addAll(List.of("rate", rate));
        }
        try {
            Fleet.run(netem, Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("qdisc kind is unknown")) {
                throw e;
            }
            if (!delay.isZero() || rate == null) {
                throw new UnsupportedOperationException("this kernel has no netem: a link can be rate-limited (slow(Duration.ZERO, rate)), "
                        + "not delayed");
            }
            Fleet.run(List.of("ip", "netns", "exec", name, "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate,
                    "burst", "32kbit", "latency", "1s"), Duration.ofSeconds(10));
        }
    }

    public void clearSlow() {
        Fleet.run(List.of("ip", "netns", "exec", name, "tc", "qdisc", "del", "dev", "eth0", "root"), Duration.ofSeconds(10));
    }

    synchronized long sshdPid() {
        if (sshd == null || !sshd.isAlive()) {
            throw new IllegalStateException(name + ": sshd is not running (killSshd was called?)");
        }
        return sshd.pid();
    }

    private void awaitSshd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (sshd != null && !sshd.isAlive()) {
                throw new IllegalStateException(name + ": sshd exited: " + tail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, 22), 500);
                return;
            } catch (IOException e) {
                last = e;
                Thread.onSpinWait();
                try {
                    Thread.sleep(20); // polling a port that is about to open; nothing to wait on instead
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException(name + ": sshd did not accept connections on " + address + ":22 within " + timeout
                + " (" + (last == null ? "" : last.getMessage()) + "): " + tail());
    }

    private String tail() {
        try {
            String log = Files.readString(dir.resolve("sshd.log"), StandardCharsets.UTF_8);
            return log.length() > 1000 ? log.substring(log.length() - 1000) : log;
        } catch (IOException e) {
            return "(no sshd log)";
        }
    }

    @Override
    public String toString() {
        return name + "@" + address;
    }
}
