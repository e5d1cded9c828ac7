package io.slipway.oci;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OCI client's view of an image reference: the parts it addresses a registry with, a digest typed and pinned to
 * sha256, and refusals in its own words. The grammar itself is tested in platform/imageref's ImageReferenceTest.
 */
class ReferenceTest {

    private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @ParameterizedTest
    @CsvSource({
            "nginx,                                  docker.io, library/nginx,        latest",
            "nginx:1.25,                             docker.io, library/nginx,        1.25",
            "user/app:v1,                            docker.io, user/app,             v1",
            "docker.io/nginx,                        docker.io, library/nginx,        latest",
            "index.docker.io/library/nginx:2,        docker.io, library/nginx,        2",
            "localhost/app,                          localhost, app,                  latest",
            "localhost:5000/team/app:rc-1,           localhost:5000, team/app,        rc-1",
            "127.0.0.1:5000/a/b/c:Tag_1.x,           127.0.0.1:5000, a/b/c,           Tag_1.x",
            "registry.example.com/kube/pause:3.9,    registry.example.com, kube/pause, 3.9",
            "[::1]:5000/app:1,                       '[::1]:5000', app,               1",
    })
    void normalizes(String text, String registry, String repository, String tag) {
        Reference ref = Reference.parse(text);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag()).isEqualTo(tag);
        assertThat(ref.digest()).isNull();
        assertThat(Reference.parse(ref.toString())).isEqualTo(ref);
    }

    @Test
    void digestsPinAndTagsAreKeptBesideThem() {
        Reference pinned = Reference.parse("quay.io/coreos/etcd@sha256:" + HEX);
        assertThat(pinned.tag()).isNull();
        assertThat(pinned.digest().hex()).isEqualTo(HEX);
        assertThat(pinned.manifestReference()).isEqualTo("sha256:" + HEX);
        assertThat(pinned.toString()).isEqualTo("quay.io/coreos/etcd@sha256:" + HEX);

        Reference both = Reference.parse("etcd:3.5@sha256:" + HEX);
        assertThat(both.tag()).isEqualTo("3.5");
        assertThat(both.manifestReference()).isEqualTo("sha256:" + HEX);
        assertThat(both.withTag("3.6").digest()).isNull();
    }

    @Test
    void onlySha256DigestsAddressContent() {
        assertThatThrownBy(() -> Reference.parse("quay.io/coreos/etcd@sha512:" + "ab".repeat(64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid image reference 'quay.io/coreos/etcd@sha512:" + "ab".repeat(64)
                        + "': unsupported digest algorithm 'sha512' (only sha256)");
    }

    @Test
    void localhostIsRecognized() {
        assertThat(Reference.parse("localhost:5000/a").isLocalhost()).isTrue();
        assertThat(Reference.parse("127.0.0.1:5000/a").isLocalhost()).isTrue();
        assertThat(Reference.parse("registry.example.com/a").isLocalhost()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                               | empty image reference",
            "Team/App                         | bad repository component 'App'",
            "app:bad tag                      | contains whitespace",
            "app:-dash                        | bad tag '-dash'",
            "app@sha256:xyz                   | invalid sha256 digest",
            "app@md5:0123                     | unsupported digest algorithm 'md5'",
            "registry.example.com/            | no repository name",
            ":tag                             | no repository name",
            "a//b                             | bad repository component ''",
            "bad_host!.com:5000/app           | bad registry 'bad_host!.com:5000'",
    })
    void refusesMalformedReferencesSayingWhy(String text, String reason) {
        assertThatThrownBy(() -> Reference.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }
}
