package io.slipway.workload.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.ws.rs.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which clusters workload-svc manages, from slipway.workload.cluster and .clusters.*; nothing here connects anywhere. */
class ClusterClientsTest {
    @TempDir
    Path dir;
    private Path kubeconfig;
    private KubernetesClient quarkus;

    @BeforeEach
    void setUp() throws Exception {
        quarkus = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:6443/")
                .withRequestTimeout(12_345).build()).build();
        kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: east
                clusters:
                - name: east
                  cluster: {server: "https://127.0.0.2:6443"}
                - name: west
                  cluster: {server: "https://127.0.0.3:6443"}
                contexts:
                - name: east
                  context: {cluster: east, user: ops, namespace: shop}
                - name: west
                  context: {cluster: west, user: ops}
                users:
                - name: ops
                  user: {token: "not-a-real-token"}
                """);
    }

    @AfterEach
    void close() {
        quarkus.close();
    }

    private ClusterClients clients(Map<String, String> props) {
        return new ClusterClients(quarkus, WorkloadConfigs.of(props));
    }

    @Test
    void theHomeClusterComesFirstAndEachOtherFromItsContextWithTheQuarkusSettings() {
        ClusterClients clients = clients(Map.of("slipway.workload.cluster", "home",
                "slipway.workload.clusters.east.kubeconfig", kubeconfig.toString(),
                "slipway.workload.clusters.west.kubeconfig", kubeconfig.toString(), "slipway.workload.clusters.west.context", "west"));
        try {
            assertThat(clients.all().keySet()).containsExactly("home", "east", "west");
            assertThat(clients.get("home")).isSameAs(quarkus);
            assertThat(clients.get("")).isSameAs(quarkus);
            assertThat(clients.get(null)).isSameAs(quarkus);
            // the file's current context when none is named
            assertThat(clients.get("east").getMasterUrl()).hasToString("https://127.0.0.2:6443/");
            assertThat(clients.get("east").getNamespace()).isEqualTo("shop");
            assertThat(clients.get("west").getMasterUrl()).hasToString("https://127.0.0.3:6443/");
            assertThat(clients.get("west").getConfiguration().getRequestTimeout()).isEqualTo(12_345);
            assertThatThrownBy(() -> clients.get("north")).isInstanceOf(NotFoundException.class)
                    .satisfies(e -> assertThat(((NotFoundException) e).getResponse().getEntity().toString())
                            .contains("north").contains("this workload-svc manages home, east, west"));
        } finally {
            clients.close();
        }
    }

    @Test
    void badSettingsNameTheirKey() {
        assertThatThrownBy(() -> clients(Map.of("slipway.workload.clusters.default.kubeconfig", kubeconfig.toString())))
                .hasMessageContaining("slipway.workload.clusters.default.*: \"default\" is the home cluster's name");
        assertThatThrownBy(() -> clients(Map.of("slipway.workload.clusters.east.context", "north",
                "slipway.workload.clusters.east.kubeconfig", kubeconfig.toString())))
                .hasMessageContaining("slipway.workload.clusters.east.context: " + kubeconfig + " has no context 'north' (it has: east, west)");
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> clients(Map.of("slipway.workload.clusters.east.kubeconfig", missing.toString())))
                .hasMessageContaining("slipway.workload.clusters.east.kubeconfig: no such file " + missing);
        // a bad cluster after a good one: the error is the bad one's
        assertThatThrownBy(() -> clients(Map.of("slipway.workload.clusters.a.kubeconfig", kubeconfig.toString(),
                "slipway.workload.clusters.b.kubeconfig", missing.toString()))).hasMessageContaining("slipway.workload.clusters.b.kubeconfig");
    }
}
