package io.slipway.imagescan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageNameTest {

    private static final String DIGEST = "sha256:84532b306f259587c364bd7301e0813963d5b84fd27c9338f0862dab8f0499d7";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "nginx,                                   docker.io/library/nginx:latest",
            "nginx:1.25,                              docker.io/library/nginx:1.25",
            "library/nginx:1.25,                      docker.io/library/nginx:1.25",
            "docker.io/nginx:1.25,                    docker.io/library/nginx:1.25",
            "index.docker.io/library/nginx:1.25,      docker.io/library/nginx:1.25",
            "bitnami/redis:7.0,                       docker.io/bitnami/redis:7.0",
            "quay.io/coreos/etcd:v3.5.12,             quay.io/coreos/etcd:v3.5.12",
            "localhost/app,                           localhost/app:latest",
            "localhost:5000/tools/kubectl:1.30,       localhost:5000/tools/kubectl:1.30",
            "registry.example.com:5000/a/b/c:1,       registry.example.com:5000/a/b/c:1",
            "[::1]:5000/app:1,                        [::1]:5000/app:1",
            "MyRegistry/app:1,                        MyRegistry/app:1",
            "ghcr.io/acme/my__app.v2-x:1.0_rc-1,      ghcr.io/acme/my__app.v2-x:1.0_rc-1",
    })
    void normalizesAsDockerDoes(String reference, String normalized) {
        assertThat(ImageName.parse(reference)).hasToString(normalized);
    }

    @Test
    void keepsADigestWithoutInventingATag() {
        ImageName name = ImageName.parse("nginx@" + DIGEST);

        assertThat(name.tag()).isNull();
        assertThat(name.digest()).isEqualTo(DIGEST);
        assertThat(name).hasToString("docker.io/library/nginx@" + DIGEST);
    }

    @Test
    void keepsTagAndDigestTogether() {
        assertThat(ImageName.parse("nginx:1.25@" + DIGEST)).hasToString("docker.io/library/nginx:1.25@" + DIGEST);
    }

    @Test
    void splitsRegistryRepositoryTag() {
        ImageName name = ImageName.parse("registry.example.com:5000/db/postgres:16");

        assertThat(name.registry()).isEqualTo("registry.example.com:5000");
        assertThat(name.repository()).isEqualTo("db/postgres");
        assertThat(name.tag()).isEqualTo("16");
        assertThat(name.digest()).isNull();
        assertThat(name.name()).isEqualTo("registry.example.com:5000/db/postgres");
    }

    @Test
    void spellingsOfOneImageAreEqual() {
        assertThat(ImageName.parse("nginx")).isEqualTo(ImageName.parse("docker.io/library/nginx:latest"));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                  | empty image reference",
            "Nginx:1.25                          | repository name must be lowercase",
            "ghcr.io/Acme/app:1                  | repository name must be lowercase",
            "nginx:                              | empty tag",
            "nginx:-1                            | invalid tag '-1'",
            "nginx:1.25!                         | invalid tag '1.25!'",
            "nginx@sha256:abc123                 | invalid sha256 digest",
            "nginx@md5:d41d8cd98f00b204e9800998ecf8427e | unsupported digest algorithm 'md5'",
            "nginx@                              | invalid digest",
            "'nginx 1.25'                        | contains whitespace",
            ":1.25                               | no repository name",
            "registry.example.com:http/app       | invalid registry port 'http'",
            "a//b                                | empty path component",
            "my_registry.io/app                  | invalid registry host 'my_registry.io'",
            "app-:1                              | invalid repository path component 'app-'",
            "Bad_Image!                          | invalid repository path component 'Bad_Image!'",
    })
    void rejectsInvalidReferencesWithTheReason(String reference, String reason) {
        assertThatThrownBy(() -> ImageName.parse(reference))
                .isInstanceOf(InvalidImageNameException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((InvalidImageNameException) e).reference()).isEqualTo(reference));
    }

    @Test
    void rejectsOverlongTagsAndNames() {
        assertThatThrownBy(() -> ImageName.parse("nginx:" + "1".repeat(129))).hasMessageContaining("at most 128");
        assertThatThrownBy(() -> ImageName.parse("ghcr.io/" + "a".repeat(250))).hasMessageContaining("longer than 255");
    }

    @Test
    void constructorValidatesAndDefaultsTheTag() {
        assertThat(new ImageName("docker.io", "library/nginx", null, null).tag()).isEqualTo("latest");
        assertThatThrownBy(() -> new ImageName("docker.io", "library/Nginx", "1", null))
                .isInstanceOf(InvalidImageNameException.class)
                .hasMessageContaining("lowercase");
    }
}
