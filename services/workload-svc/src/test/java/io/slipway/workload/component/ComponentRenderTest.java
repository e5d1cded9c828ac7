package io.slipway.workload.component;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Templates merged in their documented order, and the children rendered from them. */
class ComponentRenderTest {
    private static ComponentSpec spec(String workloadType, String language, String runType) {
        ComponentSpec spec = new ComponentSpec();
        spec.workloadType = workloadType;
        spec.developLanguage = language;
        spec.runType = runType;
        spec.image = "registry.local/orders:1";
        spec.port = "server".equals(runType) ? 8080 : null;
        return spec;
    }

    private static ConfigMap template(String kind, String name, String yaml) {
        return new ConfigMapBuilder().withNewMetadata().withName(kind + "-" + name).withNamespace("slipway")
                .addToLabels(Templates.KIND_LABEL, kind).addToLabels(Templates.NAME_LABEL, name).endMetadata()
                .addToData(Templates.DATA_KEY, yaml).build();
    }

    private static JsonNode container(ComponentRender.Rendered r) {
        return r.workload().path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void aJavaServerGetsItsLanguagesProbesAndItsOwnOverridesLast() {
        ComponentSpec spec = spec("AdvancedStatefulSet", "java", "server");
        spec.env = List.of(new EnvVar("JAVA_TOOL_OPTIONS", "-Xmx1g", null), new EnvVar("MODE", "live", null));
        var templates = Templates.resolve(spec, "prod-eu", List.of(template("cluster", "prod-eu", """
                pod:
                  spec:
                    nodeSelector: {pool: apps}
                service:
                  metadata: {annotations: {team: orders}}
                """)));
        assertThat(templates.problem()).isNull();
        assertThat(templates.layers()).extracting(Templates.Layer::source).containsExactly("builtin workload/AdvancedStatefulSet.yaml",
                "builtin language/java.yaml", "configmap slipway/cluster-prod-eu");
        var r = ComponentRender.render("team-a", "orders", spec, templates);
        assertThat(r.kind()).isEqualTo("StatefulSet");
        assertThat(r.apiVersion()).isEqualTo("apps.kruise.io/v1beta1");
        JsonNode c = container(r);
        assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        assertThat(c.path("env")).hasSize(2);
        assertThat(c.path("env").get(0).path("value").asText()).isEqualTo("-Xmx1g"); // the component's value replaced the template's
        assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        assertThat(r.workload().path("spec").path("updateStrategy").path("rollingUpdate").path("podUpdatePolicy").asText()).isEqualTo("InPlaceIfPossible");
        assertThat(r.workload().path("spec").path("template").path("spec").path("nodeSelector").path("pool").asText()).isEqualTo("apps");
        assertThat(r.service().path("metadata").path("annotations").path("team").asText()).isEqualTo("orders");
        assertThat(r.service().path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
        // the revision is the pod template's: the same inputs, the same revision; another image, another
        assertThat(ComponentRender.render("team-a", "orders", spec, templates).revision()).isEqualTo(r.revision());
        spec.image = "registry.local/orders:2";
        assertThat(ComponentRender.render("team-a", "orders", spec, templates).revision()).isNotEqualTo(r.revision());
    }

    @Test
    void aWorkerHasNoPortProbeOrServiceAndADeploymentSaysItsTrack() {
        ComponentSpec spec = spec("Deployment", "go", "worker");
        var r = ComponentRender.render("team-a", "mailer", spec, Templates.resolve(spec, "default", List.of()));
        assertThat(r.service()).isNull();
        assertThat(container(r).has("readinessProbe")).isFalse();
        assertThat(container(r).has("ports")).isFalse();
        assertThat(container(r).path("env").get(0).path("name").asText()).isEqualTo("GOMAXPROCS");
        assertThat(r.workload().path("spec").path("selector").path("matchLabels").path(ComponentRender.TRACK_LABEL).asText()).isEqualTo("stable");
    }

    @Test
    void aConfigMapReplacesTheBuiltInAndAnLoadBalancerGetsItsProvidersAnnotations() {
        ComponentSpec spec = spec("Deployment", "java", "server");
        spec.service = new ComponentSpec.Service();
        spec.service.loadBalancer = new ComponentSpec.LoadBalancer();
        spec.service.loadBalancer.provider = "aws-nlb";
        spec.service.loadBalancer.scheme = "intranet";
        var templates = Templates.resolve(spec, "default", List.of(template("language", "java", "container: {env: [{name: JAVA_OPTS, value: '-Dx'}]}")));
        var r = ComponentRender.render("team-a", "orders", spec, templates);
        assertThat(container(r).path("env")).hasSize(1);
        assertThat(container(r).has("readinessProbe")).isFalse(); // the ConfigMap has no probes: the built-in's are not merged in
        assertThat(r.service().path("spec").path("type").asText()).isEqualTo("LoadBalancer");
        assertThat(r.service().path("metadata").path("annotations").path("service.beta.kubernetes.io/aws-load-balancer-scheme").asText())
                .isEqualTo("internal");
    }

    @Test
    void aMissingOrBrokenTemplateIsNamedWithItsSourceAndLine() {
        ComponentSpec spec = spec("Deployment", "cobol", "server");
        assertThat(Templates.resolve(spec, "default", List.of()).problem())
                .startsWith("spec.developLanguage: no language template named \"cobol\" (built-in: go, java, node, python;");
        spec.developLanguage = "java";
        assertThat(Templates.resolve(spec, "default", List.of(template("language", "java", "container:\n  env: [\n  oops: {")))
                .problem()).startsWith("configmap slipway/language-java:3: not YAML");
        assertThat(Templates.resolve(spec, "default", List.of(template("language", "java", "containers: {}"))).problem())
                .isEqualTo("configmap slipway/language-java: unknown section \"containers\" (known: workload, pod, container, service, server, worker)");
    }

    @Test
    void validationNamesEachField() {
        ComponentSpec spec = spec("CronJob", "java", "server");
        spec.port = 70000;
        spec.release = new ComponentFields.Release();
        spec.release.strategy = "Gray";
        spec.release.steps = List.of(new ComponentFields.Step("0", "soon"));
        assertThat(ComponentValidation.check(spec)).containsExactly(
                "spec.workloadType: Unsupported value: \"CronJob\" (one of Deployment, StatefulSet, AdvancedStatefulSet)",
                "spec.port: Invalid value: 70000: must be between 1 and 65535",
                "spec.release.steps[0].replicas: Invalid value: \"0\": at least 1 pod",
                "spec.release.steps[0].pause: Invalid value: \"soon\": a duration such as 30s, 5m or 1h");
    }
}
