package io.slipway.ssh;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH engine against each kind of test host: real OpenSSH servers in network namespaces, and the embedded MINA
 * servers of machines without root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SshEngineContract {
    HostFleet fleet;
    SshEngine ssh;
    Path tmp;

    abstract HostFleet.Kind kind();

    @BeforeAll
    void start(@TempDir Path dir) {
        tmp = dir;
        Needs.machine(HostFleet.available(kind()), "this machine cannot run " + kind() + " test hosts");
        fleet = HostFleet.builder().kind(kind()).hosts(3).build();
        ssh = engine(tmp.resolve("known_hosts"), new SshRetry(3, Duration.ofMillis(100), Duration.ofMillis(400)));
    }

    @AfterAll
    void stop() {
        if (ssh != null) {
            ssh.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    /** The fleet's hosts are made by the test itself: their first answer is trusted. */
    SshEngine engine(Path knownHosts, SshRetry retry) {
        return SshEngine.builder().hostKeys(HostKeyStore.trustingFirstUse(knownHosts)).parallelism(4).connectTimeout(Duration.ofSeconds(2))
                .retry(retry).build();
    }

    TestHost host(int i) {
        return fleet.hosts().get(i);
    }

    SshTarget root(TestHost h) {
        return SshTarget.of(h.address(), h.port(), "root", new SshAuth.PrivateKey(fleet.clientKey(), null));
    }

    @Test
    void runsCommandsWithTheirExitCodeOutputAndInput() throws Exception {
        SshResult r = ssh.exec(root(host(0)), "echo out; echo err >&2; exit 3", Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThatThrownBy(() -> r.requireOk("probe")).isInstanceOf(SshException.class)
                .hasMessageContaining(host(0).address()).hasMessageContaining("probe exited 3: err");
        SshResult echoed = ssh.exec(root(host(0)), "tr a-z A-Z", new ByteArrayInputStream("hello".getBytes()), Duration.ofSeconds(10));
        assertThat(echoed.stdout()).isEqualTo("HELLO");
    }

    @Test
    void aCommandThatOverrunsItsTimeoutIsStoppedAndSaysSo() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(root(host(0)), "sleep 30", Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.TIMEOUT))
                .hasMessageContaining(host(0).address()).hasMessageContaining("within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void sessionsArePooledPerTarget() throws Exception {
        // every channel of one connection comes from the same client port (sshd's SSH_CONNECTION names it)
        String first = ssh.exec(root(host(1)), "echo $SSH_CONNECTION", Duration.ofSeconds(10)).stdout();
        for (int i = 0; i < 4; i++) {
            assertThat(ssh.exec(root(host(1)), "echo $SSH_CONNECTION", Duration.ofSeconds(10)).stdout()).isEqualTo(first);
        }
        ssh.evict(root(host(1)));
        assertThat(ssh.exec(root(host(1)), "echo $SSH_CONNECTION", Duration.ofSeconds(10)).stdout()).isNotEqualTo(first);
    }

    @Test
    void nonRootUsersRunAsRootThroughSudoWithOrWithoutAPassword() throws Exception {
        SshTarget operator = SshTarget.of(host(1).address(), host(1).port(), fleet.operatorUser(), new SshAuth.PrivateKey(fleet.clientKey(), null));
        assertThat(operator.sudo()).isEqualTo(SudoMode.NOPASSWD);
        assertThat(ssh.exec(operator, "id -u; whoami", Duration.ofSeconds(10)).stdout()).isEqualTo("0\nroot\n");

        SshTarget pw = SshTarget.of(host(1).address(), host(1).port(), fleet.passwordUser(), new SshAuth.Password(fleet.password()));
        assertThat(pw.sudo()).isEqualTo(SudoMode.PASSWORD);
        assertThat(ssh.exec(pw, "id -u", Duration.ofSeconds(10)).stdout()).isEqualTo("0\n");
        // the password sudo reads is not part of what the command reads
        assertThat(ssh.exec(pw, "cat", new ByteArrayInputStream("payload".getBytes()), Duration.ofSeconds(10)).stdout()).isEqualTo("payload");
        Path file = Files.write(tmp.resolve("small"), "exactly these bytes".getBytes());
        ssh.upload(pw, file, "/opt/pw-upload/small", null, null);
        assertThat(host(1).path("/opt/pw-upload/small")).hasContent("exactly these bytes");
        assertThat(ssh.exec(root(host(1)), "stat -c %U /opt/pw-upload/small", Duration.ofSeconds(10)).stdout()).isEqualTo("root\n");
    }

    @Test
    void aWrongPasswordIsRefusedAtOnceWithoutEchoingIt() {
        SshTarget wrong = SshTarget.of(host(2).address(), host(2).port(), fleet.passwordUser(), new SshAuth.Password("Not-The-Password-42"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ssh.exec(wrong, "true", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SshException.Kind.AUTH_FAILED);
                    assertThat(e.transientFault()).isFalse();
                })
                .hasMessageContaining(fleet.passwordUser()).hasMessageNotContaining("Not-The-Password-42");
        assertThat(wrong.toString()).doesNotContain("Not-The-Password-42");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not retried with backoff").isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void hostKeysArePinnedOnFirstContactAndAChangedKeyIsRefused() throws Exception {
        Path known = tmp.resolve("pinning");
        try (SshEngine fresh = engine(known, SshRetry.none())) {
            fresh.exec(root(host(2)), "true", Duration.ofSeconds(10));
        }
        String line = Files.readString(known);
        assertThat(line).startsWith(host(2).address() + ":" + host(2).port() + " ecdsa-sha2-nistp256 ");
        // as if the host were replaced: the pinned key is another one
        Path other = tmp.resolve("other-key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", other.toString()).start().waitFor(20, TimeUnit.SECONDS);
        String otherKey = Files.readString(Path.of(other + ".pub")).strip().replaceFirst("\\s+\\S+$", "");
        Files.writeString(known, host(2).address() + ":" + host(2).port() + " " + otherKey + "\n");
        try (SshEngine pinned = engine(known, SshRetry.defaults())) {
            assertThatThrownBy(() -> pinned.exec(root(host(2)), "true", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_KEY_CHANGED))
                    .hasMessageContaining("host key changed").hasMessageContaining("SHA256:").hasMessageContaining(known.toString());
        }
        assertThat(Files.readString(known)).contains(otherKey);
    }

    @Test
    void aKeyPinnedBeforeAnyContactIsTheOneCheckedAndEvictingTheHostMakesANewPinCount() throws Exception {
        Path known = tmp.resolve("pinned-ahead");
        HostKeyStore keys = HostKeyStore.at(known);
        String real;
        try (SshEngine probe = engine(tmp.resolve("probe"), SshRetry.none())) {
            probe.exec(root(host(1)), "true", Duration.ofSeconds(10));
            real = Files.readString(tmp.resolve("probe")).strip().split(" ", 2)[1];
        }
        assertThat(keys.pin(host(1).address(), host(1).port(), real)).isTrue();
        assertThat(keys.pin(host(1).address(), host(1).port(), real)).as("the same pin again changes nothing").isFalse();
        assertThatThrownBy(() -> keys.pin(host(1).address(), host(1).port(), "not-a-key")).isInstanceOf(IllegalArgumentException.class);
        try (SshEngine pinned = SshEngine.builder().hostKeys(keys).connectTimeout(Duration.ofSeconds(2)).retry(SshRetry.none()).build()) {
            assertThat(pinned.exec(root(host(1)), "echo ok", Duration.ofSeconds(10)).stdout()).isEqualTo("ok\n");
            // another machine is said to answer there now: the pooled session is to the old one until the host is evicted
            Path other = tmp.resolve("other-machine");
            new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", other.toString()).start().waitFor(20, TimeUnit.SECONDS);
            String otherKey = Files.readString(Path.of(other + ".pub")).strip().replaceFirst("\\s+\\S+$", "");
            assertThat(keys.pin(host(1).address(), host(1).port(), otherKey)).isTrue();
            pinned.evictHost(host(1).address(), host(1).port());
            assertThatThrownBy(() -> pinned.exec(root(host(1)), "true", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(SshException.Kind.HOST_KEY_CHANGED));
        }
    }

    @Test
    void transientFaultsAreRetriedUntilTheHostIsBack() throws Exception {
        TestHost h = host(2);
        h.killSshd();
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try (SshEngine patient = engine(tmp.resolve("patient"), new SshRetry(8, Duration.ofMillis(200), Duration.ofMillis(800)))) {
            later.schedule(h::startSshd, 700, TimeUnit.MILLISECONDS);
            assertThat(patient.exec(root(h), "echo back", Duration.ofSeconds(10)).stdout()).isEqualTo("back\n");
        } finally {
            later.shutdown();
            later.awaitTermination(20, TimeUnit.SECONDS);
        }
        h.killSshd();
        try (SshEngine brief = engine(tmp.resolve("brief"), new SshRetry(3, Duration.ofMillis(200), Duration.ofMillis(400)))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> brief.exec(root(h), "true", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.UNREACHABLE))
                    .hasMessageContaining(h.address());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("two backoffs of at least 100 and 200 ms")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        } finally {
            h.startSshd();
        }
    }

    @Test
    void uploadsAreVerifiedAndACutTransferResumesFromWhatArrived() throws Exception {
        byte[] content = new byte[5 * 1024 * 1024];
        new Random(1).nextBytes(content);
        Path file = Files.write(tmp.resolve("blob"), content);
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        TestHost h = host(0);

        Upload whole = ssh.upload(root(h), file, "/var/lib/slipway/up/blob", sha, null);
        assertThat(whole.bytesSent()).isEqualTo(content.length);
        assertThat(whole.resumed()).isFalse();
        assertThat(Files.readAllBytes(h.path("/var/lib/slipway/up/blob"))).isEqualTo(content);

        // a transfer cut after 2 MB left a .part: only the rest is sent
        Files.write(h.path("/var/lib/slipway/up/again.part"), java.util.Arrays.copyOf(content, 2 * 1024 * 1024));
        Upload resumed = ssh.upload(root(h), file, "/var/lib/slipway/up/again", sha, null);
        assertThat(resumed.resumed()).isTrue();
        assertThat(resumed.bytesSkipped()).isEqualTo(2 * 1024 * 1024);
        assertThat(resumed.bytesSent()).isEqualTo(content.length - 2 * 1024 * 1024);
        assertThat(Files.readAllBytes(h.path("/var/lib/slipway/up/again"))).isEqualTo(content);
        assertThat(h.path("/var/lib/slipway/up/again.part")).doesNotExist();

        // a .part that is not a prefix of the file is not trusted: the file is sent whole
        byte[] garbage = new byte[1024 * 1024];
        new Random(2).nextBytes(garbage);
        Files.write(h.path("/var/lib/slipway/up/third.part"), garbage);
        Upload restarted = ssh.upload(root(h), file, "/var/lib/slipway/up/third", sha, null);
        assertThat(restarted.resumed()).isFalse();
        assertThat(restarted.bytesSent()).isEqualTo(content.length);
        assertThat(Files.readAllBytes(h.path("/var/lib/slipway/up/third"))).isEqualTo(content);

        // a wrong digest is caught on arrival, twice, and nothing is left in place
        assertThatThrownBy(() -> ssh.upload(root(h), file, "/var/lib/slipway/up/wrong", "0".repeat(64), null))
                .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.TRANSFER_CORRUPT));
        assertThat(h.path("/var/lib/slipway/up/wrong")).doesNotExist();
    }

    @Test
    void aCommandOnAHostWhoseLinkDiesFailsWithinTheKeepAliveNotItsTimeout() throws Exception {
        TestHost h = host(1);
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try (SshEngine watchful = SshEngine.builder().hostKeys(HostKeyStore.trustingFirstUse(tmp.resolve("watchful"))).connectTimeout(Duration.ofSeconds(2))
                .keepAlive(Duration.ofMillis(300), 3).retry(SshRetry.none()).build()) {
            watchful.exec(root(h), "true", Duration.ofSeconds(10));
            later.schedule(h::cutLink, 500, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> watchful.exec(root(h), "sleep 60", Duration.ofSeconds(120)))
                    .isInstanceOfSatisfying(SshException.class, e -> assertThat(e.transientFault()).isTrue())
                    .hasMessageContaining(h.address());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        } finally {
            later.shutdown();
            later.awaitTermination(5, TimeUnit.SECONDS);
            h.restoreLink();
        }
    }

    @Test
    void oneDeadHostDoesNotStopTheOthers() throws Exception {
        TestHost dead = host(1);
        dead.killSshd();
        try (SshEngine quick = engine(tmp.resolve("each"), SshRetry.none())) {
            Map<SshTarget, Outcome<String>> results = quick.onEach(List.of(root(host(0)), root(dead), root(host(2))),
                    t -> quick.exec(t, "echo $SSH_CONNECTION", Duration.ofSeconds(10)).stdout());
            assertThat(results.get(root(host(0))).value()).contains(host(0).address());
            assertThat(results.get(root(host(2))).value()).contains(host(2).address());
            assertThat(results.get(root(dead)).failure().kind()).isEqualTo(SshException.Kind.UNREACHABLE);
        } finally {
            dead.startSshd();
        }
    }

    @Test
    void quotingSurvivesQuotes() throws Exception {
        String tricky = "it's \"quoted\" $HOME `x` \\ done";
        assertThat(ssh.exec(root(host(0)), "printf '%s' " + SshEngine.quote(tricky), Duration.ofSeconds(10)).stdout()).isEqualTo(tricky);
        SshTarget operator = SshTarget.of(host(0).address(), host(0).port(), fleet.operatorUser(), new SshAuth.PrivateKey(fleet.clientKey(), null));
        assertThat(ssh.exec(operator, "printf '%s' " + SshEngine.quote(tricky), Duration.ofSeconds(10)).stdout()).isEqualTo(tricky);
        assertThat(new String(tricky.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(tricky);
    }
}
