package io.slipway.deploy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.deploy.clusterfile.Clusterfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code slipway run}'s request becomes the v2 Clusterfile sealer's run would describe. */
class RunRequestTest {
    private static final String FINGERPRINT = "SHA256:" + "x".repeat(43);

    @Test
    void hostsSshEnvCommandsAndApplicationsBecomeTheClusterfile() {
        ClusterResource.RunRequest run = new ClusterResource.RunRequest("demo", "etcd:v1", List.of("10.0.0.2"), List.of("10.0.0.3"), "ops",
                null, "-----BEGIN KEY-----", 2222, Map.of("TIER", "prod"), List.of("sh check.sh"), List.of("web"),
                Map.of("10.0.0.3", FINGERPRINT), null);
        Clusterfile cf = Clusterfile.parse(run.toClusterfile(), "run");
        assertThat(cf.name()).isEqualTo("demo");
        assertThat(cf.image()).isEqualTo("etcd:v1");
        assertThat(cf.hosts()).extracting(h -> h.ip() + " " + h.roles()).containsExactly("10.0.0.2 [master]", "10.0.0.3 [node]");
        assertThat(cf.env()).containsEntry("TIER", "prod");
        assertThat(cf.cmd()).containsExactly("sh check.sh");
        assertThat(cf.appNames()).containsExactly("web");
        assertThat(cf.hosts().get(0).ssh().user()).isEqualTo("ops");
        assertThat(cf.hostKeys().pinned()).containsExactly(Map.entry("10.0.0.3", FINGERPRINT));
        assertThat(cf.hostKeys().firstUse()).isFalse();

        ClusterResource.RunRequest none = new ClusterResource.RunRequest(null, "etcd:v1", List.of("10.0.0.2"), null, null, "pw", null,
                null, null, null, List.of(""), null, true);
        Clusterfile launchesNothing = Clusterfile.parse(none.toClusterfile(), "run");
        assertThat(launchesNothing.name()).isEqualTo("default");
        assertThat(launchesNothing.appNames()).containsExactly("");
        assertThat(launchesNothing.cmd()).isEmpty();
        assertThat(launchesNothing.hostKeys().firstUse()).isTrue();
    }
}
