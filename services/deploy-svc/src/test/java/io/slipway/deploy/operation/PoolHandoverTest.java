package io.slipway.deploy.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.deploy.cluster.PoolUnusable;
import io.slipway.deploy.clusterfile.ClusterHost;
import io.slipway.deploy.clusterfile.Clusterfile;
import io.slipway.ssh.SshAuth;
import io.slipway.ssh.SshTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A ready pool's nodes become the Clusterfile's hosts: masters first, each logging in as the provider says. */
class PoolHandoverTest {
    static final String INFRA = """
            apiVersion: sealer.io/v2
            kind: Cluster
            metadata:
              name: etcd
            spec:
              image: etcd:v1
              infra:
                provider: local
                masters: {count: 2}
                nodes: {count: 1}
            """;

    static final String KEY = keyFile();
    static final List<PoolHandover.Node> NODES = List.of(
            new PoolHandover.Node("etcd-node-0", "node", "10.7.0.4", 22, "root", KEY),
            new PoolHandover.Node("etcd-master-1", "master", "10.7.0.3", 2222, "ec2-user", KEY),
            new PoolHandover.Node("etcd-master-0", "master", "10.7.0.2", 22, "root", KEY));

    /** A file standing for the provider's key: only its being readable here matters to the hand-over. */
    static String keyFile() {
        try {
            Path f = Files.createTempFile("client_key", "");
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theProvidersKeyFileLogsInWhenTheClusterfileGivesNoCredentials() {
        Clusterfile filled = PoolHandover.fill(Clusterfile.parse(INFRA, "Clusterfile"), NODES);
        assertThat(filled.hosts()).extracting(ClusterHost::ip).containsExactly("10.7.0.2", "10.7.0.3", "10.7.0.4");
        assertThat(filled.masters()).extracting(ClusterHost::ip).containsExactly("10.7.0.2", "10.7.0.3");
        SshTarget second = SshTargets.of(filled.masters().get(1));
        assertThat(second.user()).isEqualTo("ec2-user");
        assertThat(second.port()).isEqualTo(2222);
        assertThat(second.auth()).isInstanceOf(SshAuth.PrivateKey.class);
        assertThat(((SshAuth.PrivateKey) second.auth()).file()).isEqualTo(Path.of(KEY));
        // what is stored reads back with its hosts and its infra section
        Clusterfile stored = Clusterfile.stored(filled.toYaml());
        assertThat(stored.hosts()).isEqualTo(filled.hosts());
        assertThat(stored.infra()).isEqualTo(filled.infra());
    }

    @Test
    void theClusterfilesOwnCredentialsWinButNotTheProvidersUserAndPort() {
        Clusterfile own = Clusterfile.parse(INFRA.replace("  infra:", "  ssh: {passwd: Own-Secret-1}\n  infra:"), "Clusterfile");
        SshTarget t = SshTargets.of(PoolHandover.fill(own, NODES).masters().get(1));
        assertThat(t.auth()).isInstanceOf(SshAuth.Password.class);
        assertThat(t.user()).isEqualTo("ec2-user");
        assertThat(t.port()).isEqualTo(2222);
    }

    @Test
    void aPoolThatCannotBeLoggedIntoOrDoesNotMatchIsRefusedWithTheReason() {
        Clusterfile cf = Clusterfile.parse(INFRA, "Clusterfile");
        List<PoolHandover.Node> passwordOnly = NODES.stream()
                .map(n -> new PoolHandover.Node(n.nodeId(), n.role(), n.address(), n.port(), n.user(), null)).toList();
        assertThatThrownBy(() -> PoolHandover.fill(cf, passwordOnly)).isInstanceOf(PoolUnusable.class)
                .hasMessageContaining("give spec.ssh credentials");
        List<PoolHandover.Node> keyElsewhere = NODES.stream()
                .map(n -> new PoolHandover.Node(n.nodeId(), n.role(), n.address(), n.port(), n.user(), "/nonexistent/slipway-local/client_key")).toList();
        assertThatThrownBy(() -> PoolHandover.fill(cf, keyElsewhere)).isInstanceOf(PoolUnusable.class)
                .hasMessageContaining("/nonexistent/slipway-local/client_key, which deploy-svc cannot read here");
        assertThatThrownBy(() -> PoolHandover.fill(cf, NODES.subList(0, 2))).isInstanceOf(PoolUnusable.class)
                .hasMessageContaining("handed over 1 master node(s) where the Clusterfile asks for 2");
    }
}
