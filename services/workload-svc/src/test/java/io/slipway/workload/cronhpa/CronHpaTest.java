package io.slipway.workload.cronhpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.events.workload.WorkloadTransitioned;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.TestClock;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CronHorizontalPodAutoscalers run by workload-svc on the simulated cluster, on a clock the test moves: a named zone
 * across the spring DST change, a missed run after an outage, an HPA whose floor is held, an Advanced StatefulSet
 * scaled (and to zero) through its scale subresource, and a refused spec. The anchor's manifests apply unchanged.
 * Same cluster and infrastructure as AdvancedStatefulSetTest, so Quarkus runs both on one application.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false"), @ResourceArg(name = "kubelet", value = "true"), @ResourceArg(name = "nodes", value = "2"),
        @ResourceArg(name = "start-millis", value = "100"), @ResourceArg(name = "ready-millis", value = "100"),
        @ResourceArg(name = "termination-millis", value = "100"),
        @ResourceArg(name = "slipway.workload.controllers", value = "true")})
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "cluster", value = "east"),
        @ResourceArg(name = "config-prefix", value = "slipway.workload.clusters"), @ResourceArg(name = "kubelet", value = "true"),
        @ResourceArg(name = "nodes", value = "1"), @ResourceArg(name = "start-millis", value = "100"),
        @ResourceArg(name = "ready-millis", value = "100"), @ResourceArg(name = "termination-millis", value = "100")})
class CronHpaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    TestClock clock;

    static KubernetesClient k() {
        return KruiseTestCluster.shared();
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private static Resource<CronHorizontalPodAutoscaler> apply(String ns, String yaml) {
        CronHorizontalPodAutoscaler cron = k().resources(CronHorizontalPodAutoscaler.class).inNamespace(ns)
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
        k().resource(cron).inNamespace(ns).create();
        return k().resources(CronHorizontalPodAutoscaler.class).inNamespace(ns).withName(cron.getMetadata().getName());
    }

    private static void deployment(String ns, String name, int replicas) {
        k().resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("registry.local/" + name + ":1").endContainer().endSpec().endTemplate().endSpec().build()).create();
    }

    private static int replicas(String ns, String deployment) {
        Deployment d = k().apps().deployments().inNamespace(ns).withName(deployment).get();
        return d.getSpec().getReplicas();
    }

    private static CronHpaStatus.JobCondition job(Resource<CronHorizontalPodAutoscaler> cron, String name) {
        CronHpaStatus status = cron.get().getStatus();
        return status == null ? null : status.conditions.stream().filter(c -> c.name.equals(name)).findFirst().orElse(null);
    }

    private static List<Event> events(String ns, String reason) {
        return k().v1().events().inNamespace(ns).list().getItems().stream().filter(e -> reason.equals(e.getReason())).toList();
    }

    private static void submitted(Resource<CronHorizontalPodAutoscaler> cron, String... jobs) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (String j : jobs) {
                assertThat(job(cron, j)).isNotNull();
            }
        });
    }

    @Test
    void aNamedZoneKeepsWallClockTimesAcrossTheSpringChange() {
        String ns = "cron-dst";
        deployment(ns, "web", 1);
        clock.set(Instant.parse("2026-03-29T00:50:00Z")); // 01:50 CET, ten minutes before Berlin's clocks jump to 03:00
        var cron = apply(ns, """
                apiVersion: autoscaling.alibabacloud.com/v1beta1
                kind: CronHorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  timeZone: Europe/Berlin
                  jobs:
                  - {name: night, schedule: "0 30 2 * * *", targetSize: 2}
                  - {name: morning, schedule: "0 0 8 * * *", targetSize: 6}
                """);
        submitted(cron, "night", "morning");
        // 02:30 does not exist that night: the job fires at the end of the gap, 03:00 CEST = 01:00Z
        assertThat(job(cron, "night").nextScheduleTime).isEqualTo("2026-03-29T01:00:00Z");
        // 08:00 is now CEST (+02:00): 06:00Z, not the 07:00Z the winter offset would give
        assertThat(job(cron, "morning").nextScheduleTime).isEqualTo("2026-03-29T06:00:00Z");
        assertThat(replicas(ns, "web")).isEqualTo(1);

        clock.set(Instant.parse("2026-03-29T01:00:01Z"));
        await().atMost(WAIT).until(() -> replicas(ns, "web") == 2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(job(cron, "night").state).isEqualTo(CronHpaStatus.SUCCEED);
            assertThat(job(cron, "night").lastScheduleTime).isEqualTo("2026-03-29T01:00:00Z");
        });

        clock.set(Instant.parse("2026-03-29T05:59:58Z")); // 07:59:58 CEST: not yet
        await().atMost(WAIT).untilAsserted(() -> assertThat(cron.get().getStatus().conditions).allSatisfy(c ->
                assertThat(c.lastProbeTime).isNotNull()));
        assertThat(replicas(ns, "web")).isEqualTo(2);
        clock.set(Instant.parse("2026-03-29T06:00:01Z"));
        await().atMost(WAIT).until(() -> replicas(ns, "web") == 6);
        await().atMost(WAIT).untilAsserted(() -> assertThat(job(cron, "morning").message).isEqualTo("cron hpa job morning executed successfully. current replicas:2, desired replicas:6"));

        // each run is an Event on the CronHPA (kubectl describe, kube-eventer) and a transition on Kafka
        await().atMost(WAIT).untilAsserted(() -> assertThat(events(ns, "Succeed")).extracting(Event::getMessage)
                .anySatisfy(m -> assertThat(m).contains("job night")).anySatisfy(m -> assertThat(m).contains("job morning")));
        String uid = cron.get().getMetadata().getUid();
        await().atMost(WAIT).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(uid))
                .filteredOn(t -> t.getTransition().equals("CronJobSucceed")).extracting(WorkloadTransitioned::getReason)
                .hasSize(2).anySatisfy(r -> assertThat(r).contains("desired replicas:6")));
        cron.delete();
    }

    @Test
    void afterAnOutageTheJobInEffectRunsOnceAndTheSupersededOneIsMissed() {
        String ns = "cron-outage";
        deployment(ns, "api", 3);
        clock.set(Instant.parse("2026-06-01T06:00:00Z"));
        var cron = apply(ns, """
                apiVersion: autoscaling.alibabacloud.com/v1beta1
                kind: CronHorizontalPodAutoscaler
                metadata: {name: api}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
                  startingDeadlineSeconds: 3600
                  jobs:
                  - {name: up, schedule: "0 0 8 * * *", targetSize: 10}
                  - {name: down, schedule: "0 0 20 * * *", targetSize: 2}
                """);
        submitted(cron, "up", "down");
        // the controller sees nothing between 06:00 and 20:30, as when it is down: both jobs fired meanwhile
        clock.set(Instant.parse("2026-06-01T20:30:00Z"));
        await().atMost(WAIT).until(() -> replicas(ns, "api") == 2);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(job(cron, "down").state).isEqualTo(CronHpaStatus.SUCCEED);
            assertThat(job(cron, "up").state).isEqualTo(CronHpaStatus.MISSED);
            assertThat(job(cron, "up").message).contains("superseded by job down");
            assertThat(cron.get().getStatus().activeJob).isEqualTo("down");
        });
        // never twice: a scale by hand afterwards stays, and no second run is recorded over many looks
        KruiseTestCluster.edit(k().apps().deployments().inNamespace(ns).withName("api"), d -> {
            d.getSpec().setReplicas(4);
            return d;
        });
        clock.set(Instant.parse("2026-06-01T20:40:00Z"));
        await().during(Duration.ofSeconds(2)).atMost(WAIT).untilAsserted(() -> {
            assertThat(replicas(ns, "api")).isEqualTo(4);
            assertThat(events(ns, "Succeed")).hasSize(1);
        });
        assertThat(events(ns, "Missed")).singleElement().extracting(Event::getType).isEqualTo("Warning");
        cron.delete();
    }

    @Test
    void anHpaTargetGetsItsFloorMovedAndHeldUntilTheNextJob() {
        String ns = "cron-hpa";
        deployment(ns, "shop", 2);
        k().resource(new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder().withNewMetadata().withName("shop")
                .withNamespace(ns).endMetadata().withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName("shop").endScaleTargetRef().withMinReplicas(2).withMaxReplicas(4).endSpec()
                // a fresh HPA reports 0 current replicas: the floor must not be computed from it
                .withNewStatus().withCurrentReplicas(0).withDesiredReplicas(0).endStatus().build()).create();
        clock.set(Instant.parse("2026-06-01T07:59:00Z"));
        var cron = apply(ns, """
                apiVersion: autoscaling.alibabacloud.com/v1beta1
                kind: CronHorizontalPodAutoscaler
                metadata: {name: shop}
                spec:
                  scaleTargetRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: shop}
                  jobs:
                  - {name: sale, schedule: "0 0 8 * * *", targetSize: 6}
                  - {name: calm, schedule: "0 0 22 * * *", targetSize: 1}
                """);
        submitted(cron, "sale", "calm");
        Resource<HorizontalPodAutoscaler> hpa = k().autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("shop");
        clock.set(Instant.parse("2026-06-01T08:00:01Z"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(hpa.get().getSpec().getMinReplicas()).isEqualTo(6);
            assertThat(hpa.get().getSpec().getMaxReplicas()).isEqualTo(6);
        });
        // the status follows the write to the HPA
        await().atMost(WAIT).untilAsserted(() -> assertThat(job(cron, "sale").message).contains("minReplicas 2 → 6, maxReplicas 4 → 6"));
        assertThat(replicas(ns, "shop")).isEqualTo(2); // the HPA scales the Deployment, not the CronHPA

        // someone re-applies the HPA's manifest during the sale: the floor is restored, not left until tomorrow
        KruiseTestCluster.edit(hpa, h -> {
            h.getSpec().setMinReplicas(2);
            return h;
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(hpa.get().getSpec().getMinReplicas()).isEqualTo(6));
        await().atMost(WAIT).until(() -> !events(ns, "FloorRestored").isEmpty());

        clock.set(Instant.parse("2026-06-01T22:00:01Z"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(hpa.get().getSpec().getMinReplicas()).isEqualTo(1));
        assertThat(hpa.get().getSpec().getMaxReplicas()).isEqualTo(6);
        cron.delete();
    }

    @Test
    void anAdvancedStatefulSetIsScaledThroughItsScaleSubresourceDownToZero() {
        String ns = "cron-asts";
        k().resource(k().getKubernetesSerialization().unmarshal("""
                apiVersion: apps.kruise.io/v1beta1
                kind: StatefulSet
                metadata: {name: db, namespace: cron-asts}
                spec:
                  replicas: 1
                  podManagementPolicy: Parallel
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: registry.local/db:1}]}
                """, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create();
        await().atMost(WAIT).until(() -> pods(ns).size() == 1);
        clock.set(Instant.parse("2026-06-01T08:59:00Z"));
        var cron = apply(ns, """
                apiVersion: autoscaling.alibabacloud.com/v1beta1
                kind: CronHorizontalPodAutoscaler
                metadata: {name: db}
                spec:
                  scaleTargetRef: {apiVersion: apps.kruise.io/v1beta1, kind: StatefulSet, name: db}
                  jobs:
                  - {name: busy, schedule: "0 0 9 * * *", targetSize: 3}
                  - {name: off, schedule: "0 0 19 * * *", targetSize: 0}
                """);
        submitted(cron, "busy", "off");
        clock.set(Instant.parse("2026-06-01T09:00:01Z"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods(ns)).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("db-0", "db-1", "db-2"));
        clock.set(Instant.parse("2026-06-01T19:00:01Z"));
        await().atMost(WAIT).until(() -> pods(ns).isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(job(cron, "off").message)
                .isEqualTo("cron hpa job off executed successfully. current replicas:3, desired replicas:0"));
        cron.delete();
    }

    private static List<Pod> pods(String ns) {
        return k().pods().inNamespace(ns).list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    @Test
    void aRefusedSpecNamesTheFieldAndRunsNothing() {
        String ns = "cron-invalid";
        deployment(ns, "web", 1);
        var cron = apply(ns, """
                apiVersion: autoscaling.alibabacloud.com/v1beta1
                kind: CronHorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  timeZone: Europe/Berlni
                  jobs:
                  - {name: up, schedule: "@every 1s", targetSize: 5}
                """);
        await().atMost(WAIT).until(() -> cron.get().getStatus() != null);
        assertThat(cron.get().getStatus().message).isEqualTo("spec.timeZone: unknown time zone \"Europe/Berlni\" (an IANA name such as "
                + "Europe/Berlin or UTC)");
        await().atMost(WAIT).until(() -> events(ns, "InvalidSpec").size() == 1);
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> replicas(ns, "web") == 1);

        // fixed: the job is submitted from now and runs every second
        KruiseTestCluster.edit(cron, c -> {
            c.getSpec().timeZone = "Europe/Berlin";
            c.getSpec().jobs.get(0).schedule = "0 0 * * * *";
            return c;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cron.get().getStatus().message).isNull();
            assertThat(job(cron, "up").state).isEqualTo(CronHpaStatus.SUBMITTED);
        });
        cron.delete();
    }
}
