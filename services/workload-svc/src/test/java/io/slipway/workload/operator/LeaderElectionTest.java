package io.slipway.workload.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;
import io.slipway.testkit.kube.SimulatedCluster;
import io.slipway.workload.InMemoryRecorder;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import io.slipway.workload.kruise.statefulset.StatefulSetReconciler;
import io.slipway.workload.ledger.TransitionRecorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the controllers contend for one Lease, as two replicas of workload-svc would: only the holder
 * reconciles; when it dies without giving the lease up, the standby takes over and carries on.
 */
class LeaderElectionTest {
    final SimulatedCluster cluster = SimulatedCluster.start();
    final WorkloadConfig config = TestConfig.leaderElection(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300));
    final TransitionRecorder ledger = new InMemoryRecorder();
    final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        cluster.close();
    }

    private KubernetesClient client() {
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl(cluster.url()).withNamespace("default").withWatchReconnectInterval(100).build()).build();
    }

    @Test
    void theStandbyTakesOverWhenTheLeaderDiesAndOnlyTheLeaderReconciles() {
        KubernetesClient test = client();
        KruiseTestCluster.installCrds(test);
        KubernetesClient clientX = client();
        KubernetesClient clientY = client();
        AtomicBoolean xLeads = new AtomicBoolean();
        AtomicBoolean yLeads = new AtomicBoolean();
        Operator x = WorkloadOperator.build(clientX, config, "instance-x", List.of(new StatefulSetReconciler(clientX, ledger)), registry, xLeads::set);
        x.start();
        await().atMost(Duration.ofSeconds(20)).untilTrue(xLeads);
        Operator y = WorkloadOperator.build(clientY, config, "instance-y", List.of(new StatefulSetReconciler(clientY, ledger)), registry, yLeads::set);
        y.start();
        try {
            test.resources(AdvancedStatefulSet.class).inNamespace("default").resource(set(2)).create();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(test.pods().inNamespace("default").list().getItems()).hasSize(2));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilFalse(yLeads);
            assertThat(holder(test)).isEqualTo("instance-x");

            clientX.close(); // the leader dies: no renewal, no release

            await().atMost(Duration.ofSeconds(20)).untilTrue(yLeads);
            assertThat(holder(test)).isEqualTo("instance-y");
            KruiseTestCluster.edit(test.resources(AdvancedStatefulSet.class).inNamespace("default").withName("elected"), s -> {
                s.getSpec().replicas = 4;
                return s;
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(test.pods().inNamespace("default").list().getItems())
                    .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("elected-0", "elected-1", "elected-2", "elected-3"));
        } finally {
            y.stop();
            try {
                x.stop();
            } catch (RuntimeException ignored) {
                // its client is closed: it cannot stop cleanly, as a dead instance would not
            }
        }
    }

    private static String holder(KubernetesClient client) {
        Lease lease = client.leases().inNamespace("default").withName("slipway-workload-svc").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static AdvancedStatefulSet set(int replicas) {
        return Serialization.unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: elected, namespace: default}
                spec:
                  replicas: %d
                  podManagementPolicy: Parallel
                  selector: {matchLabels: {app: elected}}
                  template:
                    metadata: {labels: {app: elected}}
                    spec:
                      containers: [{name: main, image: registry.local/elected:1}]
                """.formatted(replicas), AdvancedStatefulSet.class);
    }
}
