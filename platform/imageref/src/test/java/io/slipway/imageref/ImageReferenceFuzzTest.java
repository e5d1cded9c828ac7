package io.slipway.imageref;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Any text is an image reference or refused with an {@link InvalidReferenceException}; a reference read back from its
 * own normal form is the same reference (the store keys images by that form).
 */
class ImageReferenceFuzzTest {

    @Test
    void anyTextIsAReferenceOrRefusedAndTheNormalFormReadsBackTheSame() {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        Fuzzer.Report report = Fuzzer.text("image reference", "nginx", "library/nginx:1.25", "docker.io/library/nginx:latest",
                        "127.0.0.1:5000/team/app:v1.2.3", "ghcr.io/acme/app@" + digest, "localhost/app:v1@" + digest,
                        "[::1]:5000/app:1", "registry.example.com/a/b/c/d:tag_with.dots-and-9")
                .dictionary("/", ":", "@", "sha256:", "sha512:", ".", "-", "_", "__", "localhost", "docker.io/", "index.docker.io/",
                        "[", "]", ":5000", ":99999999999", "A", "latest", "{{ .Values.tag }}", "${TAG}", " ")
                .run(input -> {
                    ImageReference read = ImageReference.parse(input);
                    ImageReference again = ImageReference.parse(read.toString());
                    if (!again.equals(read)) {
                        throw new AssertionError(read + " read back as " + again);
                    }
                }, InvalidReferenceException.class);
        assertThat(report.crashes()).isEmpty();
    }
}
