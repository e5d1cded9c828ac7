package io.slipway.oci.sync;

import io.slipway.oci.Platform;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rules in image-syncer's shape, and mistakes reported with file, line and field. */
class SyncRulesTest {

    private static SyncRules parse(String text) {
        return SyncRules.parse(text, "rules.yaml", Map.of("REG_PASS", "from-env")::get);
    }

    @Test
    void readsEverySourceFormAndTheJobSettings() {
        SyncRules rules = parse("""
                auth:
                  registry.example.com:
                    username: ci
                    password: ${REG_PASS}
                  127.0.0.1:5000:
                    insecure: true
                images:
                  quay.io/coreos/kube-rbac-proxy: 127.0.0.1:5000/mirror/kube-rbac-proxy
                  quay.io/coreos/kube-rbac-proxy:v1.0,v2.0: 127.0.0.1:5000/mirror/a
                  "quay.io/coreos/kube-rbac-proxy:/^v1\\\\./": 127.0.0.1:5000/mirror/b
                  quay.io/coreos/kube-rbac-proxy@sha256:14b267eb38aa85fd12d0e168fffa2d8a6187ac53a14a0212b0d4fce8d729598c: 127.0.0.1:5000/mirror/c:pinned
                  nginx:1.25:
                    - 127.0.0.1:5000/mirror/nginx
                    - registry.example.com/team/nginx:stable
                os: [linux]
                arch: [amd64, arm:v7]
                concurrency: 8
                retries: 1
                """);
        assertThat(rules.rules()).hasSize(5);
        assertThat(rules.rules().get(0).source().tags()).isInstanceOf(TagSelector.AllTags.class);
        assertThat(rules.rules().get(0).line()).isEqualTo(8);
        assertThat(rules.rules().get(1).source().tags()).isEqualTo(new TagSelector.Listed(java.util.List.of("v1.0", "v2.0")));
        TagSelector.Matching regex = (TagSelector.Matching) rules.rules().get(2).source().tags();
        assertThat(regex.matches("v1.2")).isTrue();
        assertThat(regex.matches("v10.0")).isFalse();
        assertThat(rules.rules().get(3).source().tags()).isInstanceOf(TagSelector.Pinned.class);
        assertThat(rules.rules().get(3).destinations().get(0).tag()).isEqualTo("pinned");
        assertThat(rules.rules().get(4).source().registry()).isEqualTo("docker.io");
        assertThat(rules.rules().get(4).source().repository()).isEqualTo("library/nginx");
        assertThat(rules.rules().get(4).destinations()).extracting(SyncRule.Destination::toString)
                .containsExactly("127.0.0.1:5000/mirror/nginx", "registry.example.com/team/nginx:stable");
        assertThat(rules.auth().get("registry.example.com").password()).isEqualTo("from-env");
        assertThat(rules.auth().get("registry.example.com").toString()).doesNotContain("from-env");
        assertThat(rules.auth().get("127.0.0.1:5000").insecure()).isTrue();
        assertThat(rules.platforms().allows(Platform.parse("linux/arm/v7"))).isTrue();
        assertThat(rules.platforms().allows(Platform.parse("linux/arm/v6"))).isFalse();
        assertThat(rules.platforms().allows(Platform.parse("windows/amd64"))).isFalse();
        assertThat(rules.concurrency()).isEqualTo(8);
        assertThat(rules.retries()).isEqualTo(1);
    }

    @Test
    void acceptsImageSyncersImagesFileAndJson() {
        SyncRules yaml = parse("a.example.com/x/y: b.example.com/x/y\n");
        assertThat(yaml.rules()).singleElement().satisfies(r -> assertThat(r.source().registry()).isEqualTo("a.example.com"));
        assertThat(yaml.concurrency()).isEqualTo(SyncRules.DEFAULT_CONCURRENCY);
        SyncRules json = SyncRules.parse("{\"images\": {\"a.example.com/x/y:1\": [\"b.example.com/x/y\"]}, \"platforms\": [\"linux/arm64\"]}",
                "rules.json", n -> null);
        assertThat(json.platforms().allows(Platform.parse("linux/arm64"))).isTrue();
        assertThat(json.platforms().allows(Platform.parse("linux/amd64"))).isFalse();
    }

    @Test
    void mistakesNameFileLineAndField() {
        assertThatThrownBy(() -> parse("images:\n  a.example.com/x: b.example.com/y\nretires: 3\n"))
                .hasMessageStartingWith("rules.yaml line 3: unknown field 'retires'");
        assertThatThrownBy(() -> parse("images:\n  a.example.com/x:\n    - b.example.com/y:latest\n"))
                .hasMessageStartingWith("rules.yaml line 3: destination 'b.example.com/y:latest' names a tag");
        assertThatThrownBy(() -> parse("images:\n  ok.example.com/a: ok.example.com/b\n  \"a.example.com/x:/[unclosed/\": b.example.com/y\n"))
                .hasMessageStartingWith("rules.yaml line 3:").hasMessageContaining("bad tag regex");
        assertThatThrownBy(() -> parse("images:\n  a.example.com/Bad: b.example.com/y\n"))
                .hasMessageStartingWith("rules.yaml line 2: source 'a.example.com/Bad'").hasMessageContaining("Bad");
        assertThatThrownBy(() -> parse("auth:\n  r.example.com:\n    username: u\n    password: ${MISSING}\nimages:\n  a/b: c/d\n"))
                .hasMessageStartingWith("rules.yaml line 4: environment variable MISSING is not set");
        assertThatThrownBy(() -> parse("images:\n  a/b: c/d\nconcurrency: 0\n"))
                .hasMessageStartingWith("rules.yaml line 3: concurrency must be a whole number of at least 1");
        assertThatThrownBy(() -> parse("images:\n  a/b: [c/d\n"))
                .hasMessageStartingWith("rules.yaml line").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> parse("images:\n  a/b:\n"))
                .hasMessageStartingWith("rules.yaml line 2: source 'a/b' needs a destination");
        assertThatThrownBy(() -> parse("images:\n  a/b: c/d\n  a/b: e/f\n"))
                .hasMessage("rules.yaml line 3: 'a/b' appears twice (also at line 2)");
        assertThatThrownBy(() -> parse("# nothing yet\n")).hasMessage("rules.yaml: empty rules");
        assertThatThrownBy(() -> SyncRules.parse("{\"images\": {\"a/b\": \"c/d\"\n", "rules.json", n -> null))
                .hasMessageStartingWith("rules.json line 2: not valid JSON");
    }
}
