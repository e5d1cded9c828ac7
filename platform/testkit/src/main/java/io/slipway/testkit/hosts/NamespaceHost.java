package io.slipway.testkit.hosts;

import io.slipway.provision.local.HostTools;
import io.slipway.provision.local.OpenSshd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test host of a {@link HostFleet.Kind#NAMESPACES} fleet: a real OpenSSH server in its own network namespace (own
 * address on the fleet's bridge) and its own mount namespace over the host's private directories.
 */
final class NamespaceHost extends TestHost {
    private final String veth;
    private final Path sshdConfig;
    private final Path hostKey;
    private Process sshd;

    NamespaceHost(String name, String address, String veth, Path dir, Path sshdConfig, Path hostKey) {
        super(name, address, dir);
        this.veth = veth;
        this.sshdConfig = sshdConfig;
        this.hostKey = hostKey;
    }

    @Override
    public int port() {
        return 22;
    }

    @Override
    public String hostKey() {
        try {
            String[] pub = java.nio.file.Files.readString(Path.of(hostKey + ".pub")).strip().split("\\s+");
            return pub[0] + " " + pub[1];
        } catch (java.io.IOException e) {
            throw new IllegalStateException(name() + ": cannot read its host key: " + e.getMessage(), e);
        }
    }

    String netns() {
        return name();
    }

    String veth() {
        return veth;
    }

    /** Runs {@code shell} inside the host's namespaces (as root) and returns its stdout; a non-zero exit throws. */
    @Override
    public String exec(String shell) {
        long pid = sshdPid();
        try {
            return HostTools.run(List.of("nsenter", "--target", Long.toString(pid), "--net", "--mount", "sh", "-c", shell), Duration.ofMinutes(2));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(name() + ": " + e.getMessage(), e);
        }
    }

    /** Takes the host's link down: its peers' packets are dropped (connects time out), as a cut cable would. */
    @Override
    public void cutLink() {
        HostTools.run(List.of("ip", "link", "set", veth, "down"), Duration.ofSeconds(10));
    }

    @Override
    public void restoreLink() {
        HostTools.run(List.of("ip", "link", "set", veth, "up"), Duration.ofSeconds(10));
        awaitSshd(Duration.ofSeconds(15));
    }

    /** Kills the host's sshd (connections are refused until {@link #startSshd()}). */
    @Override
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
    @Override
    public synchronized void startSshd() {
        sshd = OpenSshd.start(name(), fs, sshdConfig, dir.resolve("sshd.log"), false);
        awaitSshd(Duration.ofSeconds(15));
    }

    /**
     * Slows the host's outgoing traffic: with netem, {@code delay} is added to every packet (and {@code rate} caps it);
     * kernels without netem (as this project's CI VM) get the rate cap alone, by a token bucket, and a delay is refused.
     */
    @Override
    public void slow(Duration delay, String rate) {
        List<String> netem = new ArrayList<>(List.of("ip", "netns", "exec", name(), "tc", "qdisc", "replace", "dev", "eth0", "root", "netem",
                "delay", delay.toMillis() + "ms"));
        if (rate != null) {
            netem.addAll(List.of("rate", rate));
        }
        try {
            HostTools.run(netem, Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("qdisc kind is unknown")) {
                throw e;
            }
            if (!delay.isZero() || rate == null) {
                throw new UnsupportedOperationException("this kernel has no netem: a link can be rate-limited (slow(Duration.ZERO, rate)), "
                        + "not delayed");
            }
            HostTools.run(List.of("ip", "netns", "exec", name(), "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate,
                    "burst", "32kbit", "latency", "1s"), Duration.ofSeconds(10));
        }
    }

    @Override
    public void clearSlow() {
        HostTools.run(List.of("ip", "netns", "exec", name(), "tc", "qdisc", "del", "dev", "eth0", "root"), Duration.ofSeconds(10));
    }

    synchronized long sshdPid() {
        if (sshd == null || !sshd.isAlive()) {
            throw new IllegalStateException(name() + ": sshd is not running (killSshd was called?)");
        }
        return sshd.pid();
    }

    private void awaitSshd(Duration timeout) {
        HostFleet.awaitPort(name() + ": sshd", address(), 22, timeout, () -> {
            Process p = sshd;
            return p != null && !p.isAlive();
        }, () -> OpenSshd.tail(dir.resolve("sshd.log")));
    }
}
