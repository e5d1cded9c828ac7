package io.slipway.testkit.hosts;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every kind of test host must be, checked with the machine's own OpenSSH client: separate addresses and
 * filesystems, key and password logins, sudo with and without a password, faults that bite, and a teardown that
 * leaves nothing running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostFleetContract {
    HostFleet fleet;

    abstract HostFleet.Kind kind();

    /** What a kind leaves on the machine besides its directory and processes (namespaces, links) must be gone too. */
    abstract void assertNothingElseLeft(HostFleet closed, List<TestHost> itsHosts) throws Exception;

    /** Which of the hosts' private paths (and libmount's /run/mount) the machine had before the fleet started. */
    private final java.util.Map<String, Boolean> machineBefore = new java.util.TreeMap<>();

    @BeforeAll
    void start() {
        Needs.machine(HostFleet.available(kind()), "this machine cannot run " + kind() + " test hosts");
        machineBefore.putAll(machinePaths());
        fleet = HostFleet.builder().kind(kind()).hosts(3).build();
    }

    private static java.util.Map<String, Boolean> machinePaths() {
        java.util.Map<String, Boolean> exists = new java.util.TreeMap<>();
        for (String p : TestHost.PRIVATE.keySet()) {
            exists.put(p, Files.exists(java.nio.file.Path.of(p)));
        }
        exists.put("/run/mount", Files.exists(java.nio.file.Path.of("/run/mount")));
        return exists;
    }

    @AfterAll
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /**
     * Hosts leave the machine as it was: a private path the machine lacks is made in a tmpfs inside the host, not on
     * the machine, and no mount is recorded in the machine's /run/mount. (The first run on a new machine failed when
     * libmount made /run/mount under a shadowed /run; a later run passed only because an earlier one had left
     * /run/slipway behind, so nothing was shadowed any more.)
     */
    @Test
    void theMachineKeepsItsOwnDirectories() throws Exception {
        assertThat(fleet.hosts().get(0).exec("test -d /run/slipway && test -d /var/lib/slipway && test -d /etc/slipway && echo made"))
                .contains("made");
        assertThat(machinePaths()).isEqualTo(machineBefore);
    }

    @Test
    void hostsHaveTheirOwnAddressesAndFilesystemsAndReachEachOther() throws Exception {
        List<TestHost> hosts = fleet.hosts();
        assertThat(hosts).hasSize(3);
        assertThat(hosts.stream().map(TestHost::address).distinct()).hasSize(3);
        for (TestHost h : hosts) {
            // sshd's view of the connection: the server end is the host's own address
            assertThat(ssh(fleet, "root", h, "echo $SSH_CONNECTION").split(" ")[2]).isEqualTo(h.address());
        }
        ssh(fleet, "root", hosts.get(0), "echo only-on-0 > /var/lib/slipway/marker");
        assertThat(hosts.get(0).path("/var/lib/slipway/marker")).hasContent("only-on-0");
        assertThat(hosts.get(0).exec("cat /var/lib/slipway/marker")).contains("only-on-0");
        assertThat(ssh(fleet, "root", hosts.get(1), "cat /var/lib/slipway/marker 2>/dev/null || echo absent")).contains("absent");
        assertThat(hosts.get(1).exec("cat /var/lib/slipway/marker 2>/dev/null || echo absent")).contains("absent");
        // /etc/slipway is private too, and the rest of /etc is the machine's
        ssh(fleet, "root", hosts.get(1), "mkdir -p /etc/slipway && echo one > /etc/slipway/conf");
        assertThat(hosts.get(1).path("/etc/slipway/conf")).hasContent("one");
        assertThat(hosts.get(2).exec("cat /etc/slipway/conf 2>/dev/null || echo absent")).contains("absent");
        assertThat(hosts.get(1).exec("head -1 /etc/passwd")).startsWith("root:");
        // host 0 reaches host 1's SSH server
        assertThat(hosts.get(0).exec(sshBanner(hosts.get(1)))).startsWith("SSH-2.0");
    }

    @Test
    void operatorHasPasswordlessSudoAndThePasswordUserLogsInWithItsPassword() throws Exception {
        TestHost h = fleet.hosts().get(1);
        assertThat(ssh(fleet, fleet.operatorUser(), h, "echo $USER; sudo -n id -u")).isEqualTo(fleet.operatorUser() + "\n0\n");
        String out = run(List.of("sshpass", "-e", "ssh", "-p", Integer.toString(h.port()), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR",
                fleet.passwordUser() + "@" + h.address(), "echo $USER; sudo -n true 2>/dev/null && echo nopasswd || echo asks-password; "
                        // the wrong one first: sudo remembers a right one for a while
                        + "echo wrong | sudo -S -p '' true 2>/dev/null || echo refused; echo " + fleet.password() + " | sudo -S -p '' id -u"),
                fleet.password());
        assertThat(out).isEqualTo(fleet.passwordUser() + "\nasks-password\nrefused\n0\n");
    }

    @Test
    void aCutLinkTimesOutAndAKilledSshdRefusesUntilRestored() throws Exception {
        TestHost h = fleet.hosts().get(2);
        h.cutLink();
        try {
            assertThatThrownBy(() -> connect(h, 1000)).isInstanceOf(java.net.SocketTimeoutException.class);
        } finally {
            h.restoreLink();
        }
        connect(h, 3000);
        h.killSshd();
        try {
            assertThatThrownBy(() -> connect(h, 1000)).isInstanceOf(java.net.ConnectException.class);
        } finally {
            h.startSshd();
        }
        assertThat(ssh(fleet, "root", h, "echo back")).contains("back");
    }

    @Test
    void aSlowedLinkCapsThroughputAndClears() throws Exception {
        TestHost h = fleet.hosts().get(0);
        h.slow(Duration.ZERO, "8mbit");
        double slowSeconds;
        try {
            long t0 = System.nanoTime();
            ssh(fleet, "root", h, "head -c 2000000 /dev/zero");
            slowSeconds = (System.nanoTime() - t0) / 1e9;
        } finally {
            h.clearSlow();
        }
        long t0 = System.nanoTime();
        ssh(fleet, "root", h, "head -c 2000000 /dev/zero");
        double fastSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(slowSeconds).as("2 MB at 8 Mbit/s takes about 2 s").isGreaterThan(1.5);
        assertThat(fastSeconds).isLessThan(slowSeconds / 2);
    }

    @Test
    void addedHostsJoinTheFleetAndCloseKillsWhatHostsStartedAndLeavesNothingBehind() throws Exception {
        HostFleet second = HostFleet.builder().kind(kind()).hosts(1).build();
        TestHost first = second.hosts().get(0);
        TestHost added = second.addHosts(1).get(0);
        assertThat(second.hosts()).containsExactly(first, added);
        assertThat(first.exec(sshBanner(added))).startsWith("SSH-2.0");
        long daemon = startDaemon(second, added);

        second.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(daemon).map(p -> !p.isAlive()).orElse(true));
        assertThat(second.dir()).doesNotExist();
        assertNothingElseLeft(second, List.of(first, added));
    }

    @Test
    void aFleetLeftByAKilledJvmIsTornDownByTheNextFleet() throws Exception {
        HostFleet orphan = HostFleet.builder().kind(kind()).hosts(1).build();
        try {
            TestHost h = orphan.hosts().get(0);
            long daemon = startDaemon(orphan, h);
            Process exited = new ProcessBuilder("true").start();
            assertThat(exited.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // what a JVM killed before its shutdown hook ran leaves: a fleet whose owner process is gone
            Files.writeString(orphan.dir().resolve("owner"), Long.toString(exited.pid()));

            try (HostFleet next = HostFleet.builder().kind(kind()).hosts(1).build()) {
                assertThat(orphan.dir()).doesNotExist();
                await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(daemon).map(p -> !p.isAlive()).orElse(true));
                assertNothingElseLeft(orphan, List.of(h));
                assertThat(ssh(next, "root", next.hosts().get(0), "echo fresh")).contains("fresh");
            }
        } finally {
            orphan.close();
        }
    }

    /** Starts a daemon the way an install hook would (detached from the session) and returns its pid. */
    static long startDaemon(HostFleet f, TestHost h) throws Exception {
        ssh(f, "root", h, "setsid sleep 1000 > /dev/null 2>&1 < /dev/null & echo $! > /var/lib/slipway/sleep.pid");
        long pid = Long.parseLong(Files.readString(h.path("/var/lib/slipway/sleep.pid")).strip());
        assertThat(ProcessHandle.of(pid)).isPresent();
        return pid;
    }

    static String sshBanner(TestHost to) {
        return "timeout 3 bash -c 'exec 3<>/dev/tcp/" + to.address() + "/" + to.port() + " && head -c 7 <&3'";
    }

    static String ssh(HostFleet f, String user, TestHost h, String command) throws Exception {
        return run(List.of("ssh", "-p", Integer.toString(h.port()), "-i", f.clientKey().toString(), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR",
                user + "@" + h.address(), command));
    }

    static String run(List<String> cmd) throws Exception {
        return run(cmd, null);
    }

    static String run(List<String> cmd, String sshpass) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true);
        if (sshpass != null) {
            pb.environment().put("SSHPASS", sshpass);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + out);
        }
        return out;
    }

    static void connect(TestHost h, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(h.address(), h.port()), timeoutMillis);
        }
    }
}
