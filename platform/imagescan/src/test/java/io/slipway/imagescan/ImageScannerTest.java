package io.slipway.imagescan;

import static io.slipway.imagescan.Fixtures.lineEqualTo;
import static io.slipway.imagescan.Fixtures.lineOf;
import static io.slipway.imagescan.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One scan over every kind of input at once. */
class ImageScannerTest {

    @Test
    void anImageNamedByManyInputsIsFoundOnceWithEveryOrigin() {
        Path manifests = path("manifests/app/workloads.yaml");
        Path imageList = path("imagelists/imageList");

        ScanResult result = new ImageScanner().scan(ScanInput.builder()
                .manifests(manifests)
                .imageList(imageList)
                .image("docker.io/nginx:1.25")
                .build());

        assertThat(result.references()).isSorted().doesNotHaveDuplicates();
        assertThat(result.image("nginx:1.25").orElseThrow().origins()).containsExactly(
                Origin.input(),
                Origin.line(imageList, lineEqualTo(imageList, "nginx:1.25")),
                Origin.line(imageList, lineOf(imageList, "docker.io/library/nginx:1.25")),
                new Origin(manifests, lineOf(manifests, "image: nginx:1.25"), "Deployment/web",
                        "spec.template.spec.containers[0].image"),
                new Origin(manifests, lineOf(manifests, "index.docker.io/library/nginx:1.25"), "ReplicaSet/web-legacy",
                        "spec.template.spec.containers[0].image"));
    }

    @Test
    void imagesGivenDirectlyAreNormalizedAndBadOnesReported() {
        ScanResult result = new ImageScanner().scan(ScanInput.builder()
                .images(List.of("busybox", "ghcr.io/acme/app:1", "ghcr.io/acme/app:1", "Not An Image", ""))
                .build());

        assertThat(result.references()).containsExactly("docker.io/library/busybox:latest", "ghcr.io/acme/app:1");
        assertThat(result.problems()).containsExactly(
                new Problem(null, 0, "empty image field"),
                new Problem(null, 0, "invalid image reference \"Not An Image\": contains whitespace"));
    }

    @Test
    void aManifestPathThatDoesNotExistIsAProblem() {
        Path missing = path("manifests").resolve("absent.yaml");

        ScanResult result = new ImageScanner().scan(ScanInput.builder().manifests(missing).build());

        assertThat(result.hasProblems()).isTrue();
        assertThat(result.problems()).containsExactly(new Problem(missing, 0, "no such file or directory"));
    }
}
