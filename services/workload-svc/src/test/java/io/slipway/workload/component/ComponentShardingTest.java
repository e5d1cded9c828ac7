package io.slipway.workload.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.testkit.kube.SimulatedCluster;
import io.slipway.workload.InMemoryRecorder;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.operator.WorkloadConfig;
import io.slipway.workload.operator.WorkloadConfigs;
import io.slipway.workload.operator.WorkloadOperator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several instances split the Components of one cluster by their {@code controller-id} label, each shard with a leader
 * of its own: a Component is reconciled by its shard only, and when a shard's leader dies its standby carries on.
 */
class ComponentShardingTest {
    final SimulatedCluster cluster = SimulatedCluster.start();
    final List<Operator> operators = new ArrayList<>();
    final List<KubernetesClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Operator o : operators) {
            try {
                o.stop();
            } catch (RuntimeException ignored) {
                // an instance whose client the test closed cannot stop cleanly, as a dead one would not
            }
        }
        clients.forEach(KubernetesClient::close);
        cluster.close();
    }

    private KubernetesClient client() {
        KubernetesClient c = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl(cluster.url()).withNamespace("default").withWatchReconnectInterval(100).build()).build();
        clients.add(c);
        return c;
    }

    /** An instance of workload-svc's controllers for shard {@code id} (null: the default shard), as a replica runs them. */
    private AtomicBoolean instance(String id, String identity) {
        Map<String, String> p = new HashMap<>(Map.of("slipway.workload.controllers", "true", "slipway.workload.cluster", "default",
                "slipway.workload.leader-election.lease-namespace", "default", "slipway.workload.leader-election.lease-duration", "3s",
                "slipway.workload.leader-election.renew-deadline", "2s", "slipway.workload.leader-election.retry-period", "300ms",
                "slipway.workload.leader-election.exit-on-loss", "false"));
        if (id != null) {
            p.put("slipway.workload.component.controller-id", id);
        }
        WorkloadConfig config = WorkloadConfigs.of(p);
        KubernetesClient c = client();
        AtomicBoolean leads = new AtomicBoolean();
        Operator o = WorkloadOperator.build(c, config, identity, List.of(new ComponentReconciler(c, new InMemoryRecorder(), Clock.systemUTC(), config)),
                new SimpleMeterRegistry(), leads::set);
        o.start();
        operators.add(o);
        return leads;
    }

    private static String component(String name, String shard) {
        return "apiVersion: component.slipway.io/v1beta1\nkind: Component\nmetadata: {name: " + name + ", namespace: default"
                + (shard == null ? "" : ", labels: {component.slipway.io/controller-id: " + shard + "}") + "}\n"
                + "spec: {workloadType: StatefulSet, developLanguage: go, runType: worker, image: registry.local/" + name + ":1, replicas: 1}\n";
    }

    @Test
    void eachShardReconcilesItsOwnComponentsAndAStandbyTakesOverItsShard() {
        KubernetesClient test = client();
        KruiseTestCluster.installCrds(test);
        AtomicBoolean a1 = instance("a", "a-1");
        await().atMost(Duration.ofSeconds(20)).untilTrue(a1);
        AtomicBoolean a2 = instance("a", "a-2");
        AtomicBoolean b1 = instance("b", "b-1");
        await().atMost(Duration.ofSeconds(20)).untilTrue(b1); // shard b elects on a lease of its own
        for (String[] c : new String[][]{{"alpha", "a"}, {"beta", "b"}, {"gamma", null}}) {
            test.resource(test.getKubernetesSerialization().unmarshal(component(c[0], c[1]), Component.class)).create();
        }
        Resource<Component> alpha = test.resources(Component.class).inNamespace("default").withName("alpha");
        Resource<Component> beta = test.resources(Component.class).inNamespace("default").withName("beta");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(alpha.get().getStatus()).isNotNull().extracting(s -> s.shard).isEqualTo("a");
            assertThat(beta.get().getStatus()).isNotNull().extracting(s -> s.shard).isEqualTo("b");
            assertThat(test.apps().statefulSets().inNamespace("default").withName("alpha").get()).isNotNull();
        });
        // no instance serves the default shard: the unlabelled component is nobody's, and nobody touches it
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(test.resources(Component.class).inNamespace("default").withName("gamma").get().getStatus()).isNull();
            assertThat(test.apps().statefulSets().inNamespace("default").withName("gamma").get()).isNull();
            assertThat(a2.get()).isFalse();
        });
        assertThat(test.leases().inNamespace("default").withName("slipway-workload-svc-a").get().getSpec().getHolderIdentity()).isEqualTo("a-1");

        clients.get(1).close(); // a-1 dies: no renewal, no release
        await().atMost(Duration.ofSeconds(20)).untilTrue(a2);
        KruiseTestCluster.edit(alpha, c -> {
            c.getSpec().image = "registry.local/alpha:2";
            return c;
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(test.apps().statefulSets().inNamespace("default").withName("alpha").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/alpha:2"));
        assertThat(b1.get()).isTrue();
    }
}
