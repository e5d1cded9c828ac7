package io.slipway.workload.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slipway.testkit.kube.SimulatedCluster;
import io.slipway.workload.InMemoryRecorder;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.TestClock;
import io.slipway.workload.operator.WorkloadConfig;
import io.slipway.workload.operator.WorkloadConfigs;
import io.slipway.workload.operator.WorkloadOperator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Components written while v1alpha1 was stored are rewritten in v1beta1 on the controller's next write of each, and
 * the CRD's storedVersions drops v1alpha1 once every one of them has been: not before.
 */
class ComponentStorageMigrationTest {
    final SimulatedCluster cluster = SimulatedCluster.start();
    final KubernetesClient test = cluster.client();
    final KubernetesClient controllers = cluster.client();
    Operator operator;

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
        controllers.close();
        test.close();
        cluster.close();
    }

    @Test
    void storedVersionsDropV1alpha1OnlyOnceEveryComponentWasRewritten() {
        KruiseTestCluster.installCrds(test);
        var crd = test.apiextensions().v1().customResourceDefinitions().withName(StorageVersions.CRD);
        crd.editStatus(c -> {
            c.setStatus(new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder()
                    .withStoredVersions("v1alpha1", "v1beta1").build());
            return c;
        });
        Supplier<List<String>> stored = () -> crd.get().getStatus().getStoredVersions();
        assertThat(stored.get()).containsExactly("v1alpha1", "v1beta1");
        for (String[] c : new String[][]{{"old", ""}, {"elsewhere", ", labels: {component.slipway.io/controller-id: nobody}"}}) {
            test.resource(test.getKubernetesSerialization().unmarshal("apiVersion: component.slipway.io/v1beta1\nkind: Component\n"
                    + "metadata: {name: " + c[0] + ", namespace: default" + c[1] + "}\n"
                    + "spec: {workloadType: StatefulSet, developLanguage: go, runType: worker, image: registry.local/x:1}\n", Component.class)).create();
        }
        TestClock clock = new TestClock();
        // looks every 300 ms; the migration itself is gated by the clock the test moves
        WorkloadConfig config = WorkloadConfigs.of(Map.of("slipway.workload.controllers", "true",
                "slipway.workload.leader-election.enabled", "false", "slipway.workload.component.max-wait", "300ms"));
        operator = WorkloadOperator.build(controllers, config, "migrator", List.of(new ComponentReconciler(controllers, new InMemoryRecorder(), clock, config)),
                new SimpleMeterRegistry(), leads -> { });
        operator.start();

        var old = test.resources(Component.class).inNamespace("default").withName("old");
        await().atMost(Duration.ofSeconds(20)).until(() -> old.get().getStatus() != null
                && StorageVersions.STORAGE.equals(old.get().getStatus().storedVersion));
        // "elsewhere" belongs to a shard no instance runs: it has not been rewritten, so v1alpha1 may still be stored
        clock.set(clock.instant().plus(StorageVersions.EVERY.multipliedBy(2)));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> stored.get().equals(List.of("v1alpha1", "v1beta1")));

        test.resources(Component.class).inNamespace("default").withName("elsewhere").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"component.slipway.io/controller-id\":null}}}");
        var elsewhere = test.resources(Component.class).inNamespace("default").withName("elsewhere");
        await().atMost(Duration.ofSeconds(20)).until(() -> elsewhere.get().getStatus() != null
                && StorageVersions.STORAGE.equals(elsewhere.get().getStatus().storedVersion));
        clock.set(clock.instant().plus(StorageVersions.EVERY.multipliedBy(2)));
        await().atMost(Duration.ofSeconds(20)).until(() -> stored.get().equals(List.of("v1beta1")));
    }
}
