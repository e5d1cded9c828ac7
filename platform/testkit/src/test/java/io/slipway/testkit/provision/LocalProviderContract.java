package io.slipway.testkit.provision;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the local provider does with either kind of host: makes real hosts on this machine, which outlive the provider
 * as a cloud's instances outlive the service that made them, and leaves nothing behind when they are released.
 */
abstract class LocalProviderContract {
    private Path stateDir;
    private final List<LocalProvider> providers = new ArrayList<>();

    abstract LocalProvider.Mode mode();

    /** The processes that make the host run (its sshd, or the process holding its namespaces). */
    abstract List<Long> processesOf(LocalProvider provider, ProviderNode node) throws Exception;

    /** Kills what makes the host run, as a crash of the host would. */
    abstract void crash(LocalProvider provider, ProviderNode node) throws Exception;

    /** The public key file of the host key the host's SSH server uses. */
    abstract Path hostKeyFile(LocalProvider provider, ProviderNode node) throws Exception;

    /** What a kind leaves on the machine besides processes and directories (namespaces, links, addresses) is gone. */
    abstract void assertNothingElseLeft(List<ProviderNode> released) throws Exception;

    @BeforeEach
    void stateDirectory() throws Exception {
        Needs.machine(LocalProvider.Mode.best().isPresent() && (mode() == LocalProvider.Mode.EMBEDDED || Netns.canRun()),
                "this machine cannot make local " + mode() + " hosts");
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
        LocalProvider p = new LocalProvider(stateDir, mode());
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
            assertThat(n.sshPort()).isEqualTo(mode() == LocalProvider.Mode.NAMESPACES ? 22 : 2222);
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
        assertOneHost(provider, created.nodes().get(0));

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
        LocalProvider restarted = restarted();
        List<Long> sshds = new ArrayList<>();
        for (ProviderNode n : nodes) {
            // one server per host; a connection the restarted provider's probe left closing is a second process a moment
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(processesOf(restarted, n)).as("one host " + n.id()).hasSize(1));
            sshds.addAll(processesOf(restarted, n));
        }
        assertThat(sshds).hasSize(2);

        assertThat(restarted.listPooled()).extracting(ProviderNode::id, ProviderNode::state)
                .containsExactlyInAnyOrder(nodes.stream().map(n -> org.assertj.core.groups.Tuple.tuple(n.id(), NodeState.RUNNING)).toArray(
                        org.assertj.core.groups.Tuple[]::new));
        assertThat(restarted.create(request("pool-b", 2)).nodes()).extracting(ProviderNode::id).containsExactlyElementsOf(ids(nodes));
        assertThat(ssh(restarted, nodes.get(1), "echo up")).contains("up");
        List<Path> hostDirs = nodes.stream().map(n -> restarted.hostDir(n.id())).toList();
        assertThat(hostDirs).allSatisfy(d -> assertThat(d).isDirectory());

        restarted.release(ids(nodes));

        assertNothingElseLeft(nodes);
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

    /**
     * A service killed (SIGKILL) while it creates hosts: a provider made anew repeats the create under the same token
     * and gets the hosts the first one recorded, started where they had not, and no others.
     */
    @Test
    void aCreateKilledMidWayIsResumedByItsTokenWithoutASecondHost() throws Exception {
        Path log = stateDir.resolveSibling(stateDir.getFileName() + ".child.log");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                LocalCreateInAnotherJvm.class.getName(), stateDir.toString(), mode().name(), "pool-k", "3")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // the token's record is written before any of its hosts starts: kill the service as soon as it is there
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> !child.isAlive() || hasFiles(stateDir.resolve("tokens")));
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            Files.deleteIfExists(log);
        }

        LocalProvider resumed = provider();
        Created created = resumed.create(request("pool-k", 3));

        assertThat(created.missing()).isZero();
        assertThat(created.nodes()).hasSize(3).allSatisfy(n -> assertThat(n.state()).isEqualTo(NodeState.RUNNING));
        assertThat(resumed.listPooled()).extracting(ProviderNode::id).containsExactlyInAnyOrderElementsOf(ids(created.nodes()));
        for (ProviderNode n : created.nodes()) {
            assertThat(ssh(resumed, n, "echo resumed")).contains("resumed");
            assertOneHost(resumed, n);
        }
    }

    /**
     * One process makes the host run, not two. A session that just ended may still be closing in the namespace (sshd's
     * per-connection process exits a moment after the client has its answer), so it is awaited; a second server is not
     * going anywhere, and fails this.
     */
    private void assertOneHost(LocalProvider provider, ProviderNode n) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(processesOf(provider, n)).as("one host " + n.id() + ", not two").hasSize(1));
    }

    private static boolean hasFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".properties"));
        }
    }

    @Test
    void aHostWhoseSshdDiedIsReportedTerminatedWithTheReasonAndReleasedCompletely() throws Exception {
        LocalProvider provider = provider();
        ProviderNode node = provider.create(request("pool-c", 1)).nodes().get(0);
        crash(provider, node);

        assertThat(provider.describe(List.of(node.id())).nodes()).singleElement().satisfies(n -> {
            assertThat(n.state()).isEqualTo(NodeState.TERMINATED);
            assertThat(n.stateReason()).contains(node.id()).containsAnyOf("sshd", "SSH server", "namespaces");
        });
        assertThat(provider.listPooled()).extracting(ProviderNode::id).containsExactly(node.id());

        provider.release(List.of(node.id()));
        assertNothingElseLeft(List.of(node));
        assertThat(provider.hostDir(node.id())).doesNotExist();
    }

    @Test
    void refusesAStateDirectoryThatItsHostsWouldHide() {
        assertThatThrownBy(() -> new LocalProvider(Path.of("/tmp/slipway-local"), mode()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/tmp");
    }

    private static List<String> ids(List<ProviderNode> nodes) {
        return nodes.stream().map(ProviderNode::id).toList();
    }

    /** A provider made anew over the same state directory, as after a restart of the service. */
    private LocalProvider restarted() {
        return provider();
    }

    /** The public key of the host key the host's SSH server uses (OpenSSH's public key line, without the comment). */
    private String hostKeyOf(LocalProvider provider, ProviderNode n) throws Exception {
        String[] pub = Files.readString(hostKeyFile(provider, n)).strip().split(" ");
        return pub[0] + " " + pub[1];
    }

    static String ssh(LocalProvider provider, ProviderNode n, String command) throws Exception {
        return run("ssh", "-p", Integer.toString(n.sshPort()), "-i", provider.login().privateKey().toString(), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR",
                provider.login().user() + "@" + n.address(), command);
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
