package io.slipway.deploy.clusterfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Any Clusterfile text (v1 or v2) is read or refused with a {@link ClusterfileException} naming line and field. What is
 * read must survive its own YAML: written and read again, it writes the same text (a deploy stores and re-reads it).
 */
class ClusterfileFuzzTest {
    private static final String V1 = """
            apiVersion: sealer.aliyun.com/v1alpha1
            kind: Cluster
            metadata:
              name: my-cluster
            spec:
              image: kubernetes:v1.19.9
              provider: BAREMETAL
              ssh: {passwd: xxx, user: root}
              masters:
                ipList: [192.168.0.2, 192.168.0.3]
              nodes:
                ipList: [192.168.0.4]
            """;

    @Test
    void anyClusterfileIsReadOrRefusedAndWhatIsReadRoundTrips() {
        Fuzzer.Report report = Fuzzer.text("clusterfile", ClusterfileTest.V2, ClusterfileTest.INFRA, V1,
                        ClusterfileTest.V2.replace("passwd: Cluster-Secret-1", "passwd: ${secret:root-pw}")
                                + "  hostKeys:\n    192.168.0.2: SHA256:" + "A".repeat(43) + "\n  trustOnFirstUse: false\n")
                .dictionary("apiVersion: ", "kind: Cluster\n", "sealer.io/v2", "sealer.cloud/v1", "metadata:\n  name: ", "spec:\n",
                        "  hosts:\n", "    - ips: ", "roles: [master]", "ssh: ", "passwd: ", "pk: |\n  ", "port: ", "env:\n", "- A=B",
                        "${secret:", "infra:\n", "count: ", "registry:\n", "localRegistry: ", "dataRoot: /", "secretEnv: [",
                        "::1", "10.0.0.1,10.0.0.2", "0.0.0.0", "---\n", "&a ", "*a", "<<: ")
                .run(input -> {
                    Clusterfile read = Clusterfile.parse(input, "Clusterfile");
                    String yaml = read.toYaml();
                    String again = Clusterfile.stored(yaml).toYaml();
                    if (!again.equals(yaml)) {
                        throw new AssertionError("its YAML read again writes other text:\n" + yaml + "\n---- became ----\n" + again);
                    }
                }, ClusterfileException.class);
        assertThat(report.crashes()).isEmpty();
    }
}
