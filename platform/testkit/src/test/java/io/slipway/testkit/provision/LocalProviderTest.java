package io.slipway.testkit.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.local.LocalProvider;
import io.slipway.provision.local.Netns;
import io.slipway.provision.ssh.SshProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local provider makes real hosts on this machine (network namespaces with their own OpenSSH servers), which
 * outlive the provider as a cloud's instances outlive the service that made them, and leaves nothing behind when they
 * are released. Needs root (as the namespace test hosts do).
 */
class LocalProviderTest {
    private Path stateDir;
    private final List<LocalProvider> providers = new ArrayList<>();

    @BeforeEach
    void stateDirectory() throws Exception {
        assumeTrue(Netns.canRun(), "the local provider needs root, iproute2, openssh-server and util-linux");
        // not under /tmp: each host has a /tmp of its own, which would hide the state directory from its sshd
        stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "slipway-local-provider-test-");
    }

    @AfterEach
    void releaseEverything() {
        if (stateDir == null) {
            return;
        }
        try (LocalProvider cleaner = provider()) {
            cleaner.release(cleaner.listPooled().stream().map(ProviderNode::id).toList());
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (Exception ignored) {
            // best effort
        }
    }

    private LocalProvider provider() {
        LocalProvider p = new LocalProvider(stateDir);
        providers.add(p);
        return p;
    }

    private static CreateRequest request(String pool, int count) {
        return new CreateRequest(pool, "node", null, null, count, CreateRequest.tokenFor(pool, "node", 0, 0), Map.of("team", "infra"));
    }

    @Test
    void createsRunningHostsThatAnswerSshWithTheirOwnHostKeysOnceForAToken() throws Exception {
        LocalProvider provider = provider();
        CreateRequest request = request("pool-a", 2);

        Created created = provider.create(request);

        assertThat(created.missing()).isZero();
        assertThat(created.nodes()).hasSize(2).allSatisfy(n -> {
            assertThat(n.state()).isEqualTo(NodeState.RUNNING);
            assertThat(n.poolId()).isEqualTo("pool-a");
            assertThat(n.role()).isEqualTo("node");
            assertThat(n.token()).isEqualTo(request.token());
            assertThat(n.sshPort()).isEqualTo(22);
        });
        assertThat(created.nodes().stream().map(ProviderNode::launchIndex)).containsExactly(0, 1);
        assertThat(created.nodes().stream().map(ProviderNode::address).distinct()).hasSize(2);
        assertThat(Files.getPosixFilePermissions(provider.login().privateKey())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(provider.login().user()).isEqualTo("root");

        try (SshProbe probe = new SshProbe(Duration.ofSeconds(3))) {
            for (ProviderNode n : created.nodes()) {
                // the login works, and the session is on the host's own address and files
                assertThat(ssh(provider, n, "echo $SSH_CONNECTION; test -d /var/lib/slipway && echo private").split("\n"))
                        .satisfies(lines -> assertThat(lines[0].split(" ")[2]).isEqualTo(n.address()))
                        .contains("private");
                assertThat(probe.hostKey(n)).contains(hostKeyOf(provider, n));
            }
            assertThat(hostKeyOf(provider, created.nodes().get(0))).isNotEqualTo(hostKeyOf(provider, created.nodes().get(1)));
        }

        Created again = provider.create(request);
        assertThat(again.nodes().stream().map(ProviderNode::id)).containsExactlyElementsOf(ids(created.nodes()));
        assertThat(provider.listPooled()).hasSize(2);
        assertThat(Netns.pids(created.nodes().get(0).id())).as("the same sshd, not a second one").hasSize(1);

        assertThatThrownBy(() -> provider.create(new CreateRequest("pool-a", "node", null, null, 3, request.token(), Map.of())))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID);
                    assertThat(e.code()).isEqualTo("IdempotentParameterMismatch");
                });
    }

    @Test
    void aNewProviderOverTheSameStateFindsTheHostsAndReleasesThemWithoutLeavingAnything() throws Exception {
        List<ProviderNode> nodes;
        try (LocalProvider first = provider()) {
            nodes = first.create(request("pool-b", 2)).nodes();
        }
        // close() releases nothing: the hosts outlive the provider, as instances outlive the service
        List<Long> sshds = new ArrayList<>();
        for (ProviderNode n : nodes) {
            sshds.addAll(Netns.pids(n.id()));
        }
        assertThat(sshds).hasSize(2);

        LocalProvider restarted = provider();
        assertThat(restarted.listPooled()).extracting(ProviderNode::id, ProviderNode::state)
                .containsExactlyInAnyOrder(nodes.stream().map(n -> org.assertj.core.groups.Tuple.tuple(n.id(), NodeState.RUNNING)).toArray(
                        org.assertj.core.groups.Tuple[]::new));
        assertThat(restarted.create(request("pool-b", 2)).nodes()).extracting(ProviderNode::id).containsExactlyElementsOf(ids(nodes));
        assertThat(ssh(restarted, nodes.get(1), "echo up")).contains("up");
        List<Path> hostDirs = nodes.stream().map(n -> restarted.hostDir(n.id())).toList();
        assertThat(hostDirs).allSatisfy(d -> assertThat(d).isDirectory());

        restarted.release(ids(nodes));

        String namespaces = run("ip", "netns", "list");
        String links = run("ip", "-o", "link", "show");
        String addresses = run("ip", "-o", "addr");
        for (ProviderNode n : nodes) {
            assertThat(namespaces).doesNotContain(n.id());
            assertThat(addresses).doesNotContain(n.address() + "/");
        }
        assertThat(links).doesNotContain("slwp");
        for (long pid : sshds) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
        assertThat(hostDirs).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(restarted.listPooled()).isEmpty();

        Described described = restarted.describe(List.of(nodes.get(0).id(), "slwp0000n99"));
        assertThat(described.nodes()).singleElement().satisfies(n -> {
            assertThat(n.state()).isEqualTo(NodeState.TERMINATED);
            assertThat(n.poolId()).isEqualTo("pool-b");
        });
        assertThat(described.unknown()).containsExactly("slwp0000n99");
        restarted.release(ids(nodes));  // releasing what is gone is not an error
    }

    @Test
    void aHostWhoseSshdDiedIsReportedTerminatedWithTheReasonAndReleasedCompletely() throws Exception {
        LocalProvider provider = provider();
        ProviderNode node = provider.create(request("pool-c", 1)).nodes().get(0);
        long sshd = Netns.pids(node.id()).get(0);
        ProcessHandle.of(sshd).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).until(() -> Netns.pids(node.id()).isEmpty());

        assertThat(provider.describe(List.of(node.id())).nodes()).singleElement().satisfies(n -> {
            assertThat(n.state()).isEqualTo(NodeState.TERMINATED);
            assertThat(n.stateReason()).contains(node.id()).contains("sshd");
        });
        assertThat(provider.listPooled()).extracting(ProviderNode::id).containsExactly(node.id());

        provider.release(List.of(node.id()));
        assertThat(run("ip", "netns", "list")).doesNotContain(node.id());
        assertThat(provider.hostDir(node.id())).doesNotExist();
    }

    @Test
    void refusesAStateDirectoryThatItsHostsWouldHide() {
        assertThatThrownBy(() -> new LocalProvider(Path.of("/tmp/slipway-local")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/tmp");
    }

    private static List<String> ids(List<ProviderNode> nodes) {
        return nodes.stream().map(ProviderNode::id).toList();
    }

    /** The public key of the host key the host's sshd is configured with (its sshd_config names it). */
    private static String hostKeyOf(LocalProvider provider, ProviderNode n) throws Exception {
        Path config = provider.hostDir(n.id()).resolve("sshd_config");
        String keyFile = Files.readAllLines(config).stream().filter(l -> l.startsWith("HostKey ")).findFirst().orElseThrow()
                .substring("HostKey ".length()).strip();
        String[] pub = Files.readString(Path.of(keyFile + ".pub")).strip().split(" ");
        return pub[0] + " " + pub[1];
    }

    private static String ssh(LocalProvider provider, ProviderNode n, String command) throws Exception {
        return run("ssh", "-p", Integer.toString(n.sshPort()), "-i", provider.login().privateKey().toString(), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR",
                provider.login().user() + "@" + n.address(), command);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
