package io.slipway.imagescan;

import static io.slipway.imagescan.Fixtures.lineEqualTo;
import static io.slipway.imagescan.Fixtures.lineOf;
import static io.slipway.imagescan.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageListTest {

    @Test
    void readsOneImagePerLineIgnoringCommentsAndBlankLines() {
        Path file = path("imagelists/imageList");

        ScanResult result = new ImageScanner().scan(ScanInput.builder().imageList(file).build());

        assertThat(result.references()).containsExactly(
                "docker.io/library/nginx:1.25",
                "localhost:5000/tools/kubectl@sha256:7a7f09de08e3dc01c5bbf90657ecc83d5c2da9f5791f1ebe84132b95422878dc",
                "quay.io/coreos/etcd:v3.5.12");
        assertThat(result.image("nginx:1.25").orElseThrow().origins()).containsExactly(
                Origin.line(file, lineEqualTo(file, "nginx:1.25")),
                Origin.line(file, lineOf(file, "docker.io/library/nginx:1.25")));
        assertThat(result.problems())
                .extracting(Problem::file, Problem::line, Problem::message)
                .containsExactly(
                        tuple(file, lineOf(file, "pause"),
                                "expected one image per line, found \"registry.k8s.io/pause:3.9 linux/amd64\""),
                        tuple(file, lineOf(file, "Bad_Image!"), "invalid image reference \"Bad_Image!\": "
                                + "invalid repository path component 'Bad_Image!' (lowercase letters and digits, "
                                + "separated by '.', '_', '__' or dashes)"));
    }

    @Test
    void aMissingImageListIsAProblem() {
        Path missing = path("imagelists").resolve("absent");

        ScanResult result = new ImageScanner().scan(ScanInput.builder().imageList(missing).build());

        assertThat(result.problems()).containsExactly(new Problem(missing, 0, "no such file"));
    }
}
