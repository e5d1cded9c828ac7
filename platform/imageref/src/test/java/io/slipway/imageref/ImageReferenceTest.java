package io.slipway.imageref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slipway.imageref.InvalidReferenceException.Part;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Image references normalize as docker's do, and malformed ones are refused with the reason and the part at fault. */
class ImageReferenceTest {

    private static final String DIGEST = "sha256:84532b306f259587c364bd7301e0813963d5b84fd27c9338f0862dab8f0499d7";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "nginx,                                   docker.io/library/nginx:latest",
            "nginx:1.25,                              docker.io/library/nginx:1.25",
            "library/nginx:1.25,                      docker.io/library/nginx:1.25",
            "user/app:v1,                             docker.io/user/app:v1",
            "docker.io/nginx,                         docker.io/library/nginx:latest",
            "docker.io/nginx:1.25,                    docker.io/library/nginx:1.25",
            "index.docker.io/library/nginx:1.25,      docker.io/library/nginx:1.25",
            "bitnami/redis:7.0,                       docker.io/bitnami/redis:7.0",
            "quay.io/coreos/etcd:v3.5.12,             quay.io/coreos/etcd:v3.5.12",
            "registry.example.com/kube/pause:3.9,     registry.example.com/kube/pause:3.9",
            "localhost/app,                           localhost/app:latest",
            "localhost:5000/team/app:rc-1,            localhost:5000/team/app:rc-1",
            "localhost:5000/tools/kubectl:1.30,       localhost:5000/tools/kubectl:1.30",
            "127.0.0.1:5000/a/b/c:Tag_1.x,            127.0.0.1:5000/a/b/c:Tag_1.x",
            "registry.example.com:5000/a/b/c:1,       registry.example.com:5000/a/b/c:1",
            "[::1]:5000/app:1,                        [::1]:5000/app:1",
            "ghcr.io/acme/my__app.v2-x:1.0_rc-1,      ghcr.io/acme/my__app.v2-x:1.0_rc-1",
            // where the two former parsers disagreed, docker's reading wins:
            // a first component that is not lowercase names a registry (docker's splitDockerDomain)
            "MyRegistry/app:1,                        MyRegistry/app:1",
            // only index.docker.io is an alias of docker.io; registry-1.docker.io is a host of its own
            "registry-1.docker.io/library/nginx:1,    registry-1.docker.io/library/nginx:1",
            // a port is any run of digits
            "localhost:123456/app,                    localhost:123456/app:latest",
    })
    void normalizesAsDockerDoes(String reference, String normalized) {
        ImageReference parsed = ImageReference.parse(reference);

        assertThat(parsed).hasToString(normalized);
        assertThat(ImageReference.parse(parsed.toString())).isEqualTo(parsed);
    }

    @Test
    void keepsADigestWithoutInventingATag() {
        ImageReference name = ImageReference.parse("nginx@" + DIGEST);

        assertThat(name.tag()).isNull();
        assertThat(name.digest()).isEqualTo(DIGEST);
        assertThat(name).hasToString("docker.io/library/nginx@" + DIGEST);
    }

    @Test
    void keepsTagAndDigestTogether() {
        ImageReference both = ImageReference.parse("nginx:1.25@" + DIGEST);

        assertThat(both.tag()).isEqualTo("1.25");
        assertThat(both.digest()).isEqualTo(DIGEST);
        assertThat(both).hasToString("docker.io/library/nginx:1.25@" + DIGEST);
    }

    @Test
    void acceptsTheDigestAlgorithmsDockerKnows() {
        String sha512 = "sha512:" + "ab".repeat(64);

        assertThat(ImageReference.parse("quay.io/coreos/etcd@" + sha512).digest()).isEqualTo(sha512);
    }

    @Test
    void splitsRegistryRepositoryTag() {
        ImageReference name = ImageReference.parse("registry.example.com:5000/db/postgres:16");

        assertThat(name.registry()).isEqualTo("registry.example.com:5000");
        assertThat(name.repository()).isEqualTo("db/postgres");
        assertThat(name.tag()).isEqualTo("16");
        assertThat(name.digest()).isNull();
        assertThat(name.name()).isEqualTo("registry.example.com:5000/db/postgres");
    }

    @Test
    void spellingsOfOneImageAreEqual() {
        assertThat(ImageReference.parse("nginx")).isEqualTo(ImageReference.parse("docker.io/library/nginx:latest"));
    }

    @ParameterizedTest(name = "[{0}] {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "''                                  | REFERENCE      | empty image reference",
            "Nginx:1.25                          | PATH_COMPONENT | repository name must be lowercase",
            "ghcr.io/Acme/app:1                  | PATH_COMPONENT | repository name must be lowercase",
            // docker reads Team as a registry (not lowercase), so it is App that is refused
            "Team/App                            | PATH_COMPONENT | repository name must be lowercase",
            "nginx:                              | TAG            | empty tag",
            "nginx:-1                            | TAG            | invalid tag '-1'",
            "app:-dash                           | TAG            | invalid tag '-dash'",
            "nginx:1.25!                         | TAG            | invalid tag '1.25!'",
            "nginx@sha256:abc123                 | DIGEST         | invalid sha256 digest",
            "app@sha256:xyz                      | DIGEST         | invalid sha256 digest",
            "nginx@md5:d41d8cd98f00b204e9800998ecf8427e | DIGEST  | unsupported digest algorithm 'md5'",
            "nginx@                              | DIGEST         | invalid digest",
            "'nginx 1.25'                        | REFERENCE      | contains whitespace",
            "app:bad tag                         | REFERENCE      | contains whitespace",
            // docker refuses surrounding whitespace too; nothing trims it away
            "' nginx'                            | REFERENCE      | contains whitespace",
            ":1.25                               | REPOSITORY     | no repository name",
            "registry.example.com/               | REPOSITORY     | no repository name",
            "registry.example.com:http/app       | REGISTRY       | invalid registry port 'http'",
            "a//b                                | PATH_COMPONENT | empty path component",
            "my_registry.io/app                  | REGISTRY       | invalid registry host 'my_registry.io'",
            "bad_host!.com:5000/app              | REGISTRY       | invalid registry host 'bad_host!.com'",
            "app-:1                              | PATH_COMPONENT | invalid repository path component 'app-'",
            "Bad_Image!                          | PATH_COMPONENT | invalid repository path component 'Bad_Image!'",
    })
    void rejectsInvalidReferencesWithThePartAndTheReason(String reference, Part part, String reason) {
        assertThatThrownBy(() -> ImageReference.parse(reference))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((InvalidReferenceException) e).reference()).isEqualTo(reference))
                .satisfies(e -> assertThat(((InvalidReferenceException) e).part()).isEqualTo(part));
    }

    @Test
    void namesTheTextAtFault() {
        assertThat(refusal("bad_host!.com:5000/app").value()).isEqualTo("bad_host!.com:5000");
        assertThat(refusal("Team/App").value()).isEqualTo("App");
        assertThat(refusal("a//b").value()).isEmpty();
        assertThat(refusal("app:-dash").value()).isEqualTo("-dash");
        assertThat(refusal("app@sha256:xyz").value()).isEqualTo("sha256:xyz");
    }

    private static InvalidReferenceException refusal(String reference) {
        return catchThrowableOfType(InvalidReferenceException.class, () -> ImageReference.parse(reference));
    }

    @Test
    void rejectsOverlongTagsAndNames() {
        assertThatThrownBy(() -> ImageReference.parse("nginx:" + "1".repeat(129))).hasMessageContaining("at most 128");
        assertThatThrownBy(() -> ImageReference.parse("ghcr.io/" + "a".repeat(250))).hasMessageContaining("longer than 255");
    }

    @Test
    void constructorValidatesAndDefaultsTheTag() {
        assertThat(new ImageReference("docker.io", "library/nginx", null, null).tag()).isEqualTo("latest");
        assertThatThrownBy(() -> new ImageReference("docker.io", "library/Nginx", "1", null))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("lowercase");
    }
}
