package io.slipway.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.slipway.testkit.kube.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which client configuration each target cluster gets: the Quarkus-produced one as it is, or a kubeconfig context on
 * top of it. Nothing here connects anywhere.
 */
class TargetClustersTest {
    @TempDir
    Path dir;
    private SimulatedCluster east;
    private SimulatedCluster west;
    private Path kubeconfig;
    /** Stands for what quarkus-kubernetes-client produces from quarkus.kubernetes-client.*. */
    private final Config quarkus = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443/").withOauthToken("sa-token")
            .withRequestTimeout(12_345).withConnectionTimeout(2_345).withRequestRetryBackoffLimit(7).withTrustCerts(true)
            .withWatchReconnectInterval(321).build();

    @BeforeEach
    void clusters() {
        east = SimulatedCluster.start();
        west = SimulatedCluster.start();
        Map<String, SimulatedCluster> contexts = new LinkedHashMap<>();
        contexts.put("east", east);
        contexts.put("west", west);
        kubeconfig = SimulatedCluster.writeKubeconfig(dir.resolve("kubeconfig"), contexts);
    }

    @AfterEach
    void stop() {
        east.close();
        west.close();
    }

    @Test
    void aClusterNamingNoKubeconfigIsTheQuarkusClient() {
        assertThat(configOf("edge", Map.of("apis", "v1"))).isSameAs(quarkus);
        assertThat(configOf("edge", Map.of("in-cluster", "true"))).isSameAs(quarkus);
    }

    @Test
    void aNamedContextTakesItsServerAndCredentialsAndTheQuarkusDefaults() {
        Config west = configOf("w", Map.of("kubeconfig", kubeconfig.toString(), "context", "west"));
        assertThat(west.getMasterUrl()).isEqualTo(this.west.url() + "/");
        assertThat(west.getOauthToken() != null ? west.getOauthToken() : west.getAutoOAuthToken()).isEqualTo("simulated-token");
        assertThat(west.getRequestTimeout()).isEqualTo(12_345);
        assertThat(west.getConnectionTimeout()).isEqualTo(2_345);
        assertThat(west.getRequestRetryBackoffLimit()).isEqualTo(7);
        assertThat(west.getWatchReconnectInterval()).isEqualTo(321);
        assertThat(west.isTrustCerts()).isTrue();
        // the file's current context when none is named
        assertThat(configOf("e", Map.of("kubeconfig", kubeconfig.toString())).getMasterUrl()).isEqualTo(east.url() + "/");
    }

    @Test
    void badSettingsNameTheirKeyAndFile() throws Exception {
        assertThatThrownBy(() -> configOf("p", Map.of("kubeconfig", kubeconfig.toString(), "context", "north")))
                .hasMessageContaining("slipway.ingest.clusters.p.context").hasMessageContaining(kubeconfig.toString())
                .hasMessageContaining("no context 'north' (it has: east, west)");
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> configOf("p", Map.of("kubeconfig", missing.toString())))
                .hasMessageContaining("slipway.ingest.clusters.p.kubeconfig: no such file " + missing);
        Path garbage = Files.writeString(dir.resolve("garbage"), "clusters: [[[");
        assertThatThrownBy(() -> configOf("p", Map.of("kubeconfig", garbage.toString())))
                .hasMessageContaining("slipway.ingest.clusters.p.kubeconfig: " + garbage + " is not a readable kubeconfig");
        assertThatThrownBy(() -> configOf("p", Map.of("in-cluster", "true", "context", "east")))
                .hasMessageContaining("slipway.ingest.clusters.p.in-cluster=true cannot be combined with slipway.ingest.clusters.p.kubeconfig or "
                        + "slipway.ingest.clusters.p.context");
    }

    private Config configOf(String name, Map<String, String> settings) {
        return TargetClusters.configOf("slipway.ingest.clusters." + name + ".", Optional.ofNullable(settings.get("kubeconfig")),
                Optional.ofNullable(settings.get("context")), Boolean.parseBoolean(settings.get("in-cluster")), quarkus);
    }
}
