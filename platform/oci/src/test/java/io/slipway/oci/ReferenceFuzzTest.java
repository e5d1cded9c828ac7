package io.slipway.oci;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/** oci's reading of references (the shared grammar, sha256 digests only) refuses what it cannot use with its own error. */
class ReferenceFuzzTest {

    @Test
    void anyTextIsAReferenceOrRefusedAndReadsBackTheSame() {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        Fuzzer.Report report = Fuzzer.text("oci reference", "nginx", "127.0.0.1:5000/team/app:v1.2.3", "ghcr.io/acme/app@" + digest,
                        "localhost/app:v1@" + digest, "registry.example.com/a/b:tag")
                .dictionary("/", ":", "@", "sha256:", "sha512:" + "ab".repeat(64), ".", "-", "_", "localhost", "docker.io/", "[::1]", ":5000")
                .run(input -> {
                    Reference read;
                    try {
                        read = Reference.parse(input);
                    } catch (IllegalArgumentException e) { // only its own refusal, not a NumberFormatException from inside
                        if (e.getClass() != IllegalArgumentException.class || !e.getMessage().startsWith("invalid image reference")) {
                            throw new AssertionError("not a refusal of the reference", e);
                        }
                        throw e;
                    }
                    if (!Reference.parse(read.toString()).equals(read)) {
                        throw new AssertionError(read + " does not read back the same");
                    }
                }, IllegalArgumentException.class);
        assertThat(report.crashes()).isEmpty();
    }
}
