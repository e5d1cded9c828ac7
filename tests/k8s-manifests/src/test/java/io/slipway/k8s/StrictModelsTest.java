package io.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A typo in a manifest is a failure naming the field, in every model the install test reads with. */
class StrictModelsTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  securityContext: {runAsNonRoot: true}
                  containers:
                  - name: web
                    image: web:1
                    ports: [{name: http, containerPort: 8080}]
                    livenessProbe: {httpGet: {path: /q/health/live, port: http}}
            """;
    private static final String TOPIC = """
            apiVersion: kafka.strimzi.io/v1beta2
            kind: KafkaTopic
            metadata: {name: t, labels: {strimzi.io/cluster: k}}
            spec:
              partitions: 3
              config: {retention.ms: -1}
            """;
    private static final String MONITOR = """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              endpoints: [{port: http, path: /q/metrics}]
            """;
    private static final String CLUSTER = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: pg}
            spec:
              instances: 3
              postgresql: {parameters: {wal_level: logical}}
              managed: {roles: [{name: build, ensure: present, login: true, replication: true, passwordSecret: {name: s}}]}
              storage: {size: 1Gi}
            """;

    @Test
    void wellFormedObjectsReadIntoTheirClasses() {
        assertThat(StrictModels.typed(tree(DEPLOYMENT)).model()).isInstanceOfSatisfying(Deployment.class,
                d -> assertThat(d.getSpec().getReplicas()).isEqualTo(2));
        assertThat(StrictModels.typed(tree(TOPIC)).model()).isInstanceOfSatisfying(KafkaTopic.class,
                t -> assertThat(t.getSpec().getPartitions()).isEqualTo(3));
        assertThat(StrictModels.typed(tree(MONITOR)).model()).isInstanceOf(ServiceMonitor.class);
        assertThat(StrictModels.typed(tree(CLUSTER)).model()).isInstanceOfSatisfying(Cnpg.Cluster.class,
                c -> assertThat(c.spec().postgresql().parameters()).containsEntry("wal_level", "logical"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "DEPLOYMENT | '  replicas: 2'          | '  replica: 2'",
            "DEPLOYMENT | runAsNonRoot            | runAsNonRot",
            "DEPLOYMENT | livenessProbe           | livenesProbe",
            "DEPLOYMENT | '{path: /q/health/live' | '{pth: /q/health/live'",
            "TOPIC      | partitions              | partition",
            "MONITOR    | endpoints               | endpoint",
            "MONITOR    | 'path: /q/metrics'      | 'pat: /q/metrics'",
            "CLUSTER    | instances               | instance",
            "CLUSTER    | 'replication: true'     | 'replicaton: true'",
    })
    void aMisspelledFieldFailsNamingIt(String object, String field, String typo) {
        String yaml = fixture(object);
        assertThat(yaml).contains(field);
        String misspelled = typo.strip().replaceFirst("^\\{", "").split(":")[0].strip();
        assertThatThrownBy(() -> StrictModels.typed(tree(yaml.replace(field, typo))))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(misspelled);
    }

    @Test
    void aValueOfTheWrongTypeOrOutsideItsEnumFails() {
        assertThatThrownBy(() -> StrictModels.typed(tree(DEPLOYMENT.replace("replicas: 2", "replicas: \"2\""))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("spec.replicas");
        assertThatThrownBy(() -> StrictModels.typed(tree(CLUSTER.replace("ensure: present", "ensure: presnt"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("presnt");
    }

    @Test
    void aKindWithoutAModelIsRefusedRatherThanSkipped() {
        assertThatThrownBy(() -> StrictModels.typed(tree("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\n")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no typed model");
    }

    private static String fixture(String name) {
        return switch (name) {
            case "DEPLOYMENT" -> DEPLOYMENT;
            case "TOPIC" -> TOPIC;
            case "MONITOR" -> MONITOR;
            case "CLUSTER" -> CLUSTER;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String yaml) {
        try {
            return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
