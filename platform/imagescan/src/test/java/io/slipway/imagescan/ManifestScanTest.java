package io.slipway.imagescan;

import static io.slipway.imagescan.Fixtures.lineOf;
import static io.slipway.imagescan.Fixtures.path;
import static io.slipway.imagescan.Fixtures.scanManifests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ManifestScanTest {

    @Test
    void findsTheImagesOfEveryCoreWorkloadKindInAMultiDocumentFile() {
        Path file = path("manifests/app/workloads.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly(
                "docker.io/envoyproxy/envoy:v1.29.1@sha256:84532b306f259587c364bd7301e0813963d5b84fd27c9338f0862dab8f0499d7",
                "docker.io/library/busybox:1.36",
                "docker.io/library/busybox:1.36-debug",
                "docker.io/library/busybox:latest",
                "docker.io/library/nginx:1.25",
                "gcr.io/google-containers/echoserver:1.10",
                "ghcr.io/acme/migrate:2.0",
                "ghcr.io/acme/report@sha256:845e91831319e89c4d656bdb80c278ac09a7230d61e5dfd2e1b1fbb436ac8917",
                "quay.io/cilium/cilium:v1.15.1",
                "registry.example.com:5000/db/postgres:16",
                "registry.k8s.io/pause:3.9");
    }

    @Test
    void recordsEveryOriginOfAnImageWithLineObjectAndYamlPath() {
        Path file = path("manifests/app/workloads.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.image("nginx:1.25").orElseThrow().origins())
                .extracting(Origin::file, Origin::line, Origin::object, Origin::yamlPath)
                .containsExactly(
                        tuple(file, lineOf(file, "image: nginx:1.25"), "Deployment/web",
                                "spec.template.spec.containers[0].image"),
                        tuple(file, lineOf(file, "image: index.docker.io/library/nginx:1.25"), "ReplicaSet/web-legacy",
                                "spec.template.spec.containers[0].image"));
        assertThat(origin(result, "busybox:1.36")).isEqualTo(new Origin(file, lineOf(file, "image: \"busybox:1.36\""),
                "Deployment/web", "spec.template.spec.initContainers[0].image"));
        assertThat(origin(result, "busybox:1.36-debug").yamlPath()).isEqualTo("spec.ephemeralContainers[0].image");
        assertThat(origin(result, "envoyproxy/envoy:v1.29.1@sha256:84532b306f259587c364bd7301e0813963d5b84fd27c9338f0862dab8f0499d7")
                .yamlPath()).isEqualTo("spec.template.spec.containers[1].image");
        assertThat(origin(result, "ghcr.io/acme/report@sha256:845e91831319e89c4d656bdb80c278ac09a7230d61e5dfd2e1b1fbb436ac8917"))
                .isEqualTo(new Origin(file, lineOf(file, "image: ghcr.io/acme/report@"), "CronJob/report",
                        "spec.jobTemplate.spec.template.spec.containers[0].image"));
        assertThat(origin(result, "registry.k8s.io/pause:3.9"))
                .isEqualTo(new Origin(file, lineOf(file, "image: registry.k8s.io/pause:3.9"), "PodTemplate/spare",
                        "template.spec.containers[0].image"));
        assertThat(origin(result, "quay.io/cilium/cilium:v1.15.1").line())
                .isEqualTo(lineOf(file, "quay.io/cilium/cilium:v1.15.1"));
    }

    @Test
    void findsTheImagesOfOpenKruiseWorkloads() {
        Path file = path("manifests/app/kruise.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly(
                "docker.io/apache/kafka:3.7.0",
                "docker.io/fluent/fluent-bit:3.0",
                "docker.io/istio/proxyv2:1.21.0",
                "ghcr.io/acme/backup:5",
                "ghcr.io/acme/big-model-server:7",
                "ghcr.io/acme/frontend:4.1",
                "ghcr.io/acme/log-setup:1",
                "ghcr.io/acme/node-clean:2",
                "ghcr.io/acme/warmup:0.9",
                "ghcr.io/acme/zone:1.0");
        assertThat(result.image("istio/proxyv2:1.21.0").orElseThrow().origins())
                .extracting(Origin::object, Origin::yamlPath)
                .containsExactly(
                        tuple("SidecarSet/mesh", "spec.initContainers[0].image"),
                        tuple("SidecarSet/mesh", "spec.containers[0].image"));
        assertThat(origin(result, "apache/kafka:3.7.0").object()).isEqualTo("StatefulSet/kafka");
        assertThat(origin(result, "ghcr.io/acme/node-clean:2").yamlPath())
                .isEqualTo("spec.template.broadcastJobTemplate.spec.template.spec.containers[0].image");
        assertThat(origin(result, "ghcr.io/acme/backup:5").yamlPath())
                .isEqualTo("spec.template.jobTemplate.spec.template.spec.containers[0].image");
        assertThat(origin(result, "ghcr.io/acme/big-model-server:7"))
                .isEqualTo(new Origin(file, lineOf(file, "big-model-server"), "ImagePullJob/prepull", "spec.image"));
        assertThat(origin(result, "ghcr.io/acme/zone:1.0").yamlPath())
                .isEqualTo("spec.template.cloneSetTemplate.spec.template.spec.containers[0].image");
    }

    @Test
    void readsTheItemsOfListsIncludingTypedListsWhoseItemsHaveNoKind() {
        Path file = path("manifests/app/list.yml");

        ScanResult result = scanManifests(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly("ghcr.io/acme/api:3.2", "ghcr.io/acme/worker:3.2");
        assertThat(origin(result, "ghcr.io/acme/api:3.2")).isEqualTo(new Origin(file, lineOf(file, "ghcr.io/acme/api:3.2"),
                "Deployment/api", "items[0].spec.template.spec.containers[0].image"));
        assertThat(origin(result, "ghcr.io/acme/worker:3.2").object()).isEqualTo("Deployment/worker");
    }

    @Test
    void unknownKindsHaveTheirContainerListsReadWhileTextAndSchemasAreNot() {
        Path file = path("manifests/app/custom.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly("ghcr.io/acme/checkout:8.0");
        assertThat(origin(result, "ghcr.io/acme/checkout:8.0")).isEqualTo(new Origin(file,
                lineOf(file, "checkout:8.0"), "Rollout/checkout", "spec.template.spec.containers[0].image"));
    }

    @Test
    void walksADirectoryForYamlAndYmlFiles() {
        ScanResult result = scanManifests(path("manifests/app"));

        assertThat(result.problems()).isEmpty();
        assertThat(result.references())
                .hasSize(11 + 10 + 2 + 1)
                .isSorted()
                .contains("ghcr.io/acme/worker:3.2", "ghcr.io/acme/zone:1.0", "ghcr.io/acme/checkout:8.0");
    }

    @Test
    void reportsEachBadImageWithFileLineAndPath() {
        Path file = path("manifests/problems/bad-images.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.references()).containsExactly("docker.io/library/alpine:3.19");
        assertThat(result.problems())
                .extracting(Problem::file, Problem::line, Problem::message)
                .containsExactly(
                        tuple(file, lineOf(file, "name: no-image"), "Deployment/bad spec.template.spec.initContainers[0]: "
                                + "container has no image field"),
                        tuple(file, lineOf(file, "image: Nginx:1.25"), "Deployment/bad spec.template.spec.containers[0].image: "
                                + "invalid image reference \"Nginx:1.25\": repository name must be lowercase"),
                        tuple(file, lineOf(file, "image: \"{{"), "Deployment/bad spec.template.spec.containers[1].image: "
                                + "unrendered template expression in image "
                                + "\"{{ .Values.image.repository }}:{{ .Values.image.tag }}\""),
                        tuple(file, lineOf(file, "image: \"\""), "Deployment/bad spec.template.spec.containers[2].image: "
                                + "empty image field"),
                        tuple(file, lineOf(file, "name: null-image") + 1, "Deployment/bad spec.template.spec.containers[3].image: "
                                + "empty image field"),
                        tuple(file, lineOf(file, "image: \"nginx:\""), "Deployment/bad spec.template.spec.containers[4].image: "
                                + "invalid image reference \"nginx:\": empty tag after ':'"),
                        tuple(file, lineOf(file, "${APP_VERSION}"), "Deployment/bad spec.template.spec.containers[5].image: "
                                + "unrendered template expression in image \"ghcr.io/acme/app:${APP_VERSION}\""),
                        tuple(file, lineOf(file, "image: {repository"), "Deployment/bad spec.template.spec.containers[6].image: "
                                + "image must be a string"),
                        tuple(file, lineOf(file, "sha256:abc123"), "Deployment/bad spec.template.spec.containers[7].image: "
                                + "invalid image reference \"nginx@sha256:abc123\": invalid sha256 digest "
                                + "(expected 64 lowercase hex characters)"));
    }

    @Test
    void aSyntaxErrorIsReportedAtItsLineAndTheDocumentsBeforeItStillCount() {
        Path file = path("manifests/problems/broken-syntax.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.references()).containsExactly("docker.io/library/redis:7.2");
        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(file);
            assertThat(problem.line()).isEqualTo(lineOf(file, "badly: indented"));
            assertThat(problem.message()).startsWith("not valid YAML: ");
        });
    }

    @Test
    void aRawChartTemplateIsReportedAsUnrenderedRatherThanGuessedAt() {
        Path file = path("manifests/problems/raw-template.yaml");

        ScanResult result = scanManifests(file);

        assertThat(result.images()).isEmpty();
        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(file);
            assertThat(problem.line()).isPositive();
            assertThat(problem.message()).startsWith("not valid YAML: ").endsWith("scan its chart instead)");
        });
    }

    private static Origin origin(ScanResult result, String reference) {
        return result.image(reference).orElseThrow().origins().getFirst();
    }
}
