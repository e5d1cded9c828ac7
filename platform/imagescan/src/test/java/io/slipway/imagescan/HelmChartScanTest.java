package io.slipway.imagescan;

import static io.slipway.imagescan.Fixtures.lineOf;
import static io.slipway.imagescan.Fixtures.path;
import static io.slipway.imagescan.Fixtures.scanManifests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Charts rendered by helm's own engine (helm-java's in-process helm library). */
class HelmChartScanTest {

    private final ImageScanner scanner = new ImageScanner();

    @Test
    void rendersAChartWithItsSubchartAndDefaultValues() {
        Path chart = path("charts/web");

        ScanResult result = scan(HelmChart.of(chart));

        assertThat(result.problems()).isEmpty();
        // nginx's tag is the chart's appVersion, redis's repository and tag come from the parent's values
        // for its subchart, and the exporter sidecar is off: only a real helm render gets all three right
        assertThat(result.references()).containsExactly(
                "docker.io/bitnami/redis:7.0",
                "docker.io/library/nginx:1.25.3",
                "registry.example.com/web/migrate:3");
        assertThat(result.image("nginx:1.25.3").orElseThrow().origins()).containsExactly(new Origin(
                chart.resolve("templates/deployment.yaml"), 0, "Deployment/release-web",
                "spec.template.spec.containers[0].image"));
        assertThat(result.image("bitnami/redis:7.0").orElseThrow().origins()).containsExactly(new Origin(
                chart.resolve("charts/cache/templates/statefulset.yaml"), 0, "StatefulSet/release-cache",
                "spec.template.spec.containers[0].image"));
    }

    @Test
    void valuesFilesAndSetValuesOverrideTheDefaults() {
        HelmChart chart = HelmChart.of(path("charts/web"))
                .withValuesFile(path("charts/web-production-values.yaml"))
                .withValue("cache.image.tag", "7.2")
                .withRelease("shop", "prod");

        ScanResult result = scan(chart);

        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly(
                "docker.io/bitnami/redis:7.2",
                "quay.io/prometheus/nginx-exporter:v1.1.0",
                "registry.example.com/nginx:1.25.4",
                "registry.example.com/web/migrate:3");
        assertThat(result.image("quay.io/prometheus/nginx-exporter:v1.1.0").orElseThrow().origins())
                .extracting(Origin::object, Origin::yamlPath)
                .containsExactly(tuple("Deployment/shop-web", "spec.template.spec.containers[1].image"));
    }

    @Test
    void rendersADependencyPackagedInCharts() {
        Path chart = path("charts/shop");

        ScanResult result = scan(HelmChart.of(chart));

        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly("docker.io/library/redis:7.4", "ghcr.io/acme/shop:2.4");
        // a packaged template has no file of its own: its origin reads as the chart path plus helm's template name
        assertThat(result.image("redis:7.4").orElseThrow().origins()).extracting(Origin::file)
                .containsExactly(chart.resolve("charts/cache/templates/statefulset.yaml"));
    }

    @Test
    void aTemplateFailureIsReportedAtTheTemplateLineHelmNames() {
        Path chart = path("charts/broken");

        ScanResult result = scan(HelmChart.of(chart));

        assertThat(result.images()).isEmpty();
        Path template = chart.resolve("templates/pod.yaml");
        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(template);
            assertThat(problem.line()).isEqualTo(lineOf(template, "required"));
            assertThat(problem.message())
                    .startsWith("helm could not render chart broken: ")
                    .contains("image.repository is required")
                    .doesNotContain("--debug");
        });
    }

    @Test
    void aDependencyMissingFromChartsIsReportedAgainstChartYaml() {
        Path chart = path("charts/missing-dependency");

        ScanResult result = scan(HelmChart.of(chart));

        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(chart.resolve("Chart.yaml"));
            assertThat(problem.message()).contains("missing in charts/ directory: postgresql");
        });
    }

    @Test
    void aValueThatRendersAnInvalidImageIsReportedAtItsTemplate() {
        Path chart = path("charts/web");

        ScanResult result = scan(HelmChart.of(chart).withValue("image.repository", "Nginx"));

        assertThat(result.references()).doesNotContain("docker.io/library/nginx:1.25.3");
        assertThat(result.problems()).containsExactly(new Problem(chart.resolve("templates/deployment.yaml"), 0,
                "Deployment/release-web spec.template.spec.containers[0].image: "
                        + "invalid image reference \"Nginx:1.25.3\": repository name must be lowercase"));
    }

    @Test
    void aDirectoryWalkRendersTheChartsItFindsInsteadOfReadingTheirTemplates() {
        Path charts = path("charts");

        ScanResult result = scanManifests(charts);

        assertThat(result.references()).containsExactly(
                "docker.io/bitnami/redis:7.0",
                "docker.io/library/nginx:1.25.3",
                "docker.io/library/redis:7.4",
                "ghcr.io/acme/shop:2.4",
                "registry.example.com/web/migrate:3");
        // web-production-values.yaml has no kind and is skipped; no template was parsed as raw YAML
        assertThat(result.problems())
                .extracting(Problem::file)
                .containsExactly(
                        charts.resolve("broken/templates/pod.yaml"),
                        charts.resolve("missing-dependency/Chart.yaml"));
    }

    @Test
    void aMissingChartOrValuesFileIsAProblemNotAnException() {
        Path nowhere = path("charts").resolve("no-such-chart");
        Path notAChart = path("manifests/app");
        Path noValues = path("charts").resolve("no-such-values.yaml");

        ScanResult result = scanner.scan(ScanInput.builder()
                .chart(nowhere)
                .chart(notAChart)
                .chart(HelmChart.of(path("charts/web")).withValuesFile(noValues))
                .build());

        assertThat(result.images()).isEmpty();
        assertThat(result.problems())
                .extracting(Problem::file, Problem::message)
                .containsExactlyInAnyOrder(
                        tuple(nowhere, "chart not found"),
                        tuple(notAChart, "not a chart: no Chart.yaml in the directory"),
                        tuple(noValues, "values file for chart " + path("charts/web") + " not found"));
    }

    private ScanResult scan(HelmChart chart) {
        return scanner.scan(ScanInput.builder().chart(chart).build());
    }
}
