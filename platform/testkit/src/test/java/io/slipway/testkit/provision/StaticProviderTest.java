package io.slipway.testkit.provision;

import io.slipway.testkit.Needs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.NodeState;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.slipway.provision.ssh.SshProbe;
import io.slipway.provision.staticpool.StaticHost;
import io.slipway.provision.staticpool.StaticProvider;
import io.slipway.testkit.hosts.HostFleet;
import io.slipway.testkit.hosts.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static provider hands out existing machines (here: test hosts standing in for them) after an SSH check, keeps
 * its claims by token across restarts, and never shows a machine's password.
 */
class StaticProviderTest {
    private static final Duration CHECK = Duration.ofSeconds(3);

    @TempDir
    Path stateDir;
    private HostFleet fleet;

    @BeforeEach
    void machines() {
        Needs.machine(HostFleet.available(), "no test hosts on this machine");
        fleet = HostFleet.builder().hosts(3).build();
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private StaticProvider provider(List<StaticHost> hosts) {
        return new StaticProvider(stateDir, SshLogin.key("root", fleet.clientKey()), hosts, CHECK);
    }

    private List<StaticHost> pool() {
        List<TestHost> h = fleet.hosts();
        return List.of(new StaticHost("m0", h.get(0).address(), h.get(0).port(), null),
                new StaticHost("m1", h.get(1).address(), h.get(1).port(), SshLogin.password(fleet.passwordUser(), fleet.password())),
                new StaticHost("m2", h.get(2).address(), h.get(2).port(), null));
    }

    private static CreateRequest request(String pool, int count, int attempt) {
        return new CreateRequest(pool, "node", null, null, count, CreateRequest.tokenFor(pool, "node", 0, attempt), Map.of());
    }

    @Test
    void claimsHealthyMachinesSkipsOneWhoseSshdIsDownAndAnswersTheSameForAToken() throws Exception {
        fleet.hosts().get(0).killSshd();
        CreateRequest twoNodes = request("pool-s", 2, 0);
        Created created;
        try (StaticProvider provider = provider(pool())) {
            created = provider.create(twoNodes);

            assertThat(created.missing()).isZero();
            assertThat(created.nodes()).extracting(ProviderNode::id).containsExactly("m1", "m2");
            assertThat(created.nodes()).allSatisfy(n -> {
                assertThat(n.state()).isEqualTo(NodeState.RUNNING);
                assertThat(n.poolId()).isEqualTo("pool-s");
                assertThat(n.token()).isEqualTo(twoNodes.token());
            });
            assertThat(created.nodes()).extracting(ProviderNode::launchIndex).containsExactly(0, 1);
            assertThat(provider.login("m1").user()).isEqualTo(fleet.passwordUser());
            assertThat(provider.login("m2").user()).isEqualTo("root");
            try (SshProbe probe = new SshProbe(CHECK)) {
                assertThat(probe.hostKey(created.nodes().get(1))).hasValueSatisfying(k -> assertThat(k).startsWith("ecdsa-sha2-nistp256 AAAA"));
            }

            // the only free machine is down: the request comes back short, naming it, never a secret
            Created short1 = provider.create(request("pool-s", 1, 1));
            assertThat(short1.nodes()).isEmpty();
            assertThat(short1.missing()).isEqualTo(1);
            assertThat(short1.missingReason()).contains("m0").contains("does not answer SSH").doesNotContain(fleet.password());
        }

        // a new provider over the same claims: the same machines for the same token, nothing claimed twice
        try (StaticProvider restarted = provider(pool())) {
            assertThat(restarted.create(twoNodes).nodes()).extracting(ProviderNode::id).containsExactly("m1", "m2");
            assertThat(restarted.listPooled()).extracting(ProviderNode::id).containsExactly("m1", "m2");
            assertThatThrownBy(() -> restarted.create(new CreateRequest("pool-t", "node", null, null, 2, twoNodes.token(), Map.of())))
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isEqualTo("IdempotentParameterMismatch"));

            restarted.release(List.of("m1"));

            assertThat(restarted.listPooled()).extracting(ProviderNode::id).containsExactly("m2");
            assertThat(restarted.describe(List.of("m1", "m9")).nodes()).singleElement()
                    .satisfies(n -> assertThat(n.state()).isEqualTo(NodeState.TERMINATED));
            assertThat(restarted.describe(List.of("m1", "m9")).unknown()).containsExactly("m9");
            fleet.hosts().get(0).startSshd();
            Created next = restarted.create(request("pool-u", 2, 0));
            assertThat(next.missing()).isZero();
            assertThat(next.nodes()).extracting(ProviderNode::id).containsExactly("m0", "m1");
            restarted.release(List.of("m0", "m1", "m2"));
            assertThat(restarted.listPooled()).isEmpty();
            restarted.release(List.of("m0"));  // releasing what is not claimed is not an error
        }
    }

    @Test
    void aMachineThatRefusesItsLoginIsSkippedAndNoSecretShows() throws Exception {
        String wrong = "Wrong-" + System.nanoTime();
        TestHost h = fleet.hosts().get(1);
        List<StaticHost> pool = List.of(new StaticHost("refuses", h.address(), h.port(), SshLogin.password(fleet.passwordUser(), wrong)),
                new StaticHost("good", fleet.hosts().get(2).address(), fleet.hosts().get(2).port(),
                        SshLogin.password(fleet.passwordUser(), fleet.password())));
        try (StaticProvider provider = provider(pool)) {
            Created created = provider.create(request("pool-p", 2, 0));

            assertThat(created.nodes()).extracting(ProviderNode::id).containsExactly("good");
            assertThat(created.missing()).isEqualTo(1);
            assertThat(created.missingReason()).contains("refuses").contains("refused user " + fleet.passwordUser())
                    .doesNotContain(wrong).doesNotContain(fleet.password());
            assertThat(provider.toString()).contains("refuses").doesNotContain(wrong).doesNotContain(fleet.password());
            assertThat(pool.toString()).doesNotContain(wrong);
            try (Stream<Path> files = Files.walk(stateDir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                    assertThat(Files.readString(f)).as(f.toString()).doesNotContain(wrong).doesNotContain(fleet.password());
                }
            }
        }
    }
}
