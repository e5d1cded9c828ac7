package io.slipway.workload.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.slipway.security.Role;
import io.slipway.testkit.TestTokens;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import io.slipway.workload.KruiseTestCluster;
import io.slipway.workload.TestClock;
import io.slipway.workload.kruise.statefulset.AdvancedStatefulSet;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Components run by workload-svc on the simulated cluster: a gray release of an Advanced StatefulSet in steps, with
 * resume, abort and promote, on pods the simulated kubelet runs; a Deployment with its canary, Service and Ingress;
 * the unmanaged annotation; a template change rolled out at a bounded rate; refusals that name the field.
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
class ComponentTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TestClock clock;

    static KubernetesClient k() {
        return KruiseTestCluster.shared();
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private static Resource<Component> apply(String ns, String yaml) {
        Component c = k().resources(Component.class).inNamespace(ns).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
        k().resource(c).inNamespace(ns).create();
        return k().resources(Component.class).inNamespace(ns).withName(c.getMetadata().getName());
    }

    private static Map<String, String> images(String ns, String component) {
        return k().pods().inNamespace(ns).withLabel(ComponentRender.NAME_LABEL, component).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), ComponentTest::image));
    }

    private static String image(Pod p) {
        return p.getSpec().getContainers().stream().filter(c -> c.getName().equals(ComponentRender.CONTAINER)).findFirst().orElseThrow().getImage();
    }

    private static void annotate(Resource<Component> c, String key, String value) {
        c.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + key + "\":" + (value == null ? "null" : "\"" + value + "\"") + "}}}");
    }

    private static void image(Resource<Component> c, String image) {
        KruiseTestCluster.edit(c, x -> {
            x.getSpec().image = image;
            return x;
        });
    }

    private static ComponentStatus status(Resource<Component> c) {
        ComponentStatus s = c.get().getStatus();
        return s == null ? new ComponentStatus() : s;
    }

    private static List<String> reasons(String ns) {
        return k().v1().events().inNamespace(ns).list().getItems().stream().map(Event::getReason).toList();
    }

    @Test
    void aGrayReleaseOfAnAdvancedStatefulSetGoesInStepsAndCanBeResumedAbortedAndPromoted() {
        String ns = "comp-gray";
        var orders = apply(ns, """
                apiVersion: component.slipway.io/v1beta1
                kind: Component
                metadata: {name: orders}
                spec:
                  workloadType: AdvancedStatefulSet
                  developLanguage: java
                  runType: server
                  image: registry.local/orders:1
                  port: 8080
                  replicas: 4
                  release:
                    strategy: Gray
                    steps: [{replicas: "1"}, {replicas: "50%"}]
                """);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(images(ns, "orders")).containsOnlyKeys("orders-0", "orders-1", "orders-2", "orders-3").containsValue("registry.local/orders:1");
            assertThat(status(orders).phase).isEqualTo("Ready");
        });
        Service svc = k().services().inNamespace(ns).withName("orders").get();
        assertThat(svc.getSpec().getSelector()).containsEntry(ComponentRender.NAME_LABEL, "orders");
        AdvancedStatefulSet set = k().resources(AdvancedStatefulSet.class).inNamespace(ns).withName("orders").get();
        assertThat(set.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("Component"));
        assertThat(set.getSpec().template.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        String uid1 = k().pods().inNamespace(ns).withName("orders-3").get().getMetadata().getUid();

        image(orders, "registry.local/orders:2");
        // step 1: one pod, the highest ordinal, updated in place; then the release waits for resume
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(images(ns, "orders")).containsEntry("orders-3", "registry.local/orders:2").containsEntry("orders-2", "registry.local/orders:1")
                    .containsEntry("orders-0", "registry.local/orders:1");
            assertThat(status(orders).release.phase).isEqualTo(GrayRelease.STEP_PAUSED);
            assertThat(status(orders).phase).isEqualTo("Paused");
        });
        assertThat(k().pods().inNamespace(ns).withName("orders-3").get().getMetadata().getUid()).isEqualTo(uid1);
        assertThat(status(orders).message).contains("step 1 of 3 done (1 of 4 pods); waiting for resume");
        // the live status: the stream sends the view and ends, since the release waits for a person
        String body = given().header("Authorization", TestTokens.bearer(Role.viewer)).accept("text/event-stream")
                .get("/api/v1/components/default/comp-gray/orders/status").then().statusCode(200).extract().asString();
        List<JsonNode> views = java.util.Arrays.stream(body.split("\n")).filter(l -> l.startsWith("data:"))
                .map(l -> Serialization.unmarshal(l.substring(5).trim(), JsonNode.class)).toList();
        assertThat(views).last().satisfies(v -> {
            assertThat(v.path("phase").asText()).isEqualTo("Paused");
            assertThat(v.path("settled").asBoolean()).isTrue();
            assertThat(v.path("updated").asInt()).isEqualTo(1);
            assertThat(v.path("pods")).hasSize(4);
        });
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/components/prod/comp-gray/orders")
                .then().statusCode(404).body("error", org.hamcrest.Matchers.containsString("this workload-svc manages default, east"));
        given().get("/api/v1/components/default/comp-gray/orders").then().statusCode(401);

        annotate(orders, Component.RELEASE_ACTION, "resume");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(images(ns, "orders")).containsEntry("orders-2", "registry.local/orders:2").containsEntry("orders-1", "registry.local/orders:1");
            assertThat(status(orders).release.step).isEqualTo(1);
            assertThat(status(orders).release.phase).isEqualTo(GrayRelease.STEP_PAUSED);
            assertThat(orders.get().getMetadata().getAnnotations()).doesNotContainKey(Component.RELEASE_ACTION); // consumed
        });

        annotate(orders, Component.RELEASE_ACTION, "abort");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(images(ns, "orders")).hasSize(4).allSatisfy((pod, image) -> assertThat(image).isEqualTo("registry.local/orders:1"));
            assertThat(status(orders).phase).isEqualTo("Aborted");
        });
        assertThat(reasons(ns)).contains("ReleaseStarted", "ReleaseAborted");

        image(orders, "registry.local/orders:3");
        await().atMost(WAIT).until(() -> "registry.local/orders:3".equals(images(ns, "orders").get("orders-3")));
        annotate(orders, Component.RELEASE_ACTION, "promote");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(images(ns, "orders")).hasSize(4).allSatisfy((pod, image) -> assertThat(image).isEqualTo("registry.local/orders:3"));
            assertThat(status(orders).phase).isEqualTo("Ready");
            assertThat(status(orders).release.phase).isEqualTo(GrayRelease.SUCCEEDED);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(KruiseTestCluster.transitions(orders.get().getMetadata().getUid()))
                .extracting(t -> t.getTransition()).contains("ReleaseProgressing", "ReleaseAborted", "ReleaseSucceeded"));
        orders.delete();
    }

    @Test
    void aDeploymentComponentGetsACanaryAServiceWithItsLoadBalancerAndAnIngress() {
        String ns = "comp-deploy";
        var web = apply(ns, """
                apiVersion: component.slipway.io/v1beta1
                kind: Component
                metadata: {name: web}
                spec:
                  workloadType: Deployment
                  developLanguage: node
                  image: registry.local/web:1
                  port: 3000
                  replicas: 4
                  service: {loadBalancer: {provider: aliyun-slb, scheme: intranet}}
                  ingress: {host: web.example.test, path: /}
                  release: {strategy: Gray, steps: [{replicas: "1"}]}
                """);
        var stable = k().apps().deployments().inNamespace(ns).withName("web");
        var canary = k().apps().deployments().inNamespace(ns).withName("web-canary");
        await().atMost(WAIT).until(() -> stable.get() != null);
        Service svc = k().services().inNamespace(ns).withName("web").get();
        assertThat(svc.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(svc.getMetadata().getAnnotations()).containsEntry("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type", "intranet");
        var ingress = k().network().v1().ingresses().inNamespace(ns).withName("web").get();
        assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("web.example.test");
        // the simulation has no Deployment controller: the test reports the pods as one would
        ready(stable, 4);
        await().atMost(WAIT).until(() -> "Ready".equals(status(web).phase));

        image(web, "registry.local/web:2");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(canary.get()).isNotNull();
            assertThat(canary.get().getSpec().getReplicas()).isEqualTo(1);
            assertThat(stable.get().getSpec().getReplicas()).isEqualTo(3);
        });
        assertThat(image(stable.get())).isEqualTo("registry.local/web:1");
        assertThat(image(canary.get())).isEqualTo("registry.local/web:2");
        assertThat(canary.get().getSpec().getSelector().getMatchLabels()).containsEntry(ComponentRender.TRACK_LABEL, "canary");
        ready(canary, 1);
        await().atMost(WAIT).until(() -> GrayRelease.STEP_PAUSED.equals(status(web).release.phase));

        annotate(web, Component.RELEASE_ACTION, "resume"); // the implied last step: all pods, on the stable Deployment
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(canary.get()).isNull();
            assertThat(stable.get().getSpec().getReplicas()).isEqualTo(4);
            assertThat(image(stable.get())).isEqualTo("registry.local/web:2");
        });
        ready(stable, 4);
        await().atMost(WAIT).until(() -> "Ready".equals(status(web).phase));
        web.delete();
    }

    private static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private static void ready(Resource<Deployment> d, int pods) {
        d.editStatus(x -> {
            x.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(pods).withReadyReplicas(pods)
                    .withUpdatedReplicas(pods).withObservedGeneration(x.getMetadata().getGeneration()).build());
            return x;
        });
    }

    @Test
    void anUnmanagedComponentAndItsChildrenAreLeftAlone() {
        String ns = "comp-unmanaged";
        var job = apply(ns, """
                apiVersion: component.slipway.io/v1beta1
                kind: Component
                metadata: {name: mailer}
                spec: {workloadType: StatefulSet, developLanguage: python, runType: worker, image: registry.local/mailer:1, replicas: 2}
                """);
        var sts = k().apps().statefulSets().inNamespace(ns).withName("mailer");
        await().atMost(WAIT).until(() -> sts.get() != null);
        assertThat(k().services().inNamespace(ns).withName("mailer").get()).isNull(); // a worker has no Service
        annotate(job, Component.UNMANAGED, "true");
        await().atMost(WAIT).until(() -> "Unmanaged".equals(status(job).phase));
        image(job, "registry.local/mailer:2");
        KruiseTestCluster.edit(sts, s -> {
            s.getSpec().setReplicas(5); // a person's change to the child stays too
            return s;
        });
        await().during(Duration.ofSeconds(2)).atMost(WAIT).untilAsserted(() -> {
            assertThat(sts.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/mailer:1");
            assertThat(sts.get().getSpec().getReplicas()).isEqualTo(5);
        });
        annotate(job, Component.UNMANAGED, null);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(sts.get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/mailer:2");
            assertThat(sts.get().getSpec().getReplicas()).isEqualTo(2);
        });
        job.delete();
    }

    @Test
    void aTemplateChangeRollsOutToEveryComponentItTouchesAtABoundedRate() {
        String ns = "comp-templates";
        clock.set(Instant.parse("2026-06-01T10:00:00Z"));
        var cm = k().configMaps().inNamespace("slipway").resource(new ConfigMapBuilder().withNewMetadata().withName("language-go")
                .addToLabels(Templates.KIND_LABEL, "language").addToLabels(Templates.NAME_LABEL, "go").endMetadata()
                .addToData(Templates.DATA_KEY, "container: {env: [{name: GOGC, value: '100'}]}").build());
        cm.create();
        List<String> names = List.of("a", "b", "c");
        for (String n : names) {
            apply(ns, "apiVersion: component.slipway.io/v1beta1\nkind: Component\nmetadata: {name: " + n + "}\n"
                    + "spec: {workloadType: StatefulSet, developLanguage: go, image: registry.local/" + n + ":1, port: 8080, replicas: 1}\n");
        }
        var sets = k().apps().statefulSets().inNamespace(ns);
        await().atMost(WAIT).until(() -> names.stream().allMatch(n -> "100".equals(gogc(sets.withName(n).get()))));

        cm.edit(c -> {
            c.getData().put(Templates.DATA_KEY, "container: {env: [{name: GOGC, value: '50'}]}");
            return c;
        });
        // two slots a minute: two components roll out now, the third waits, queued, for the clock to move
        await().atMost(WAIT).until(() -> names.stream().filter(n -> "50".equals(gogc(sets.withName(n).get()))).count() == 2);
        String waiting = names.stream().filter(n -> !"50".equals(gogc(sets.withName(n).get()))).findFirst().orElseThrow();
        var queued = k().resources(Component.class).inNamespace(ns).withName(waiting);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(queued).phase).isEqualTo("Queued"));
        assertThat(status(queued).message).contains("configmap slipway/language-go").contains("2 components a minute");
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> "100".equals(gogc(sets.withName(waiting).get())));
        clock.set(Instant.parse("2026-06-01T10:01:00Z"));
        await().atMost(WAIT).until(() -> "50".equals(gogc(sets.withName(waiting).get())));
        names.forEach(n -> k().resources(Component.class).inNamespace(ns).withName(n).delete());
        cm.delete();
    }

    private static String gogc(io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
        return s == null ? null : s.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("GOGC")).map(e -> e.getValue()).findFirst().orElse(null);
    }

    @Test
    void aRefusedComponentNamesTheFieldAndCreatesNothing() {
        String ns = "comp-invalid";
        var bad = apply(ns, """
                apiVersion: component.slipway.io/v1beta1
                kind: Component
                metadata: {name: legacy}
                spec: {workloadType: Deployment, developLanguage: cobol, image: registry.local/legacy:1, port: 8080}
                """);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(status(bad).phase).isEqualTo("Invalid");
            assertThat(status(bad).message).startsWith("spec.developLanguage: no language template named \"cobol\"");
        });
        await().atMost(WAIT).until(() -> reasons(ns).contains("PhaseInvalid"));
        assertThat(k().apps().deployments().inNamespace(ns).withName("legacy").get()).isNull();
        bad.delete();
    }
}
