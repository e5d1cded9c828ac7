package io.slipway.cloudimage.kubefile;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Any Kubefile text parses and expands, or is refused with a {@link KubefileException} naming file and line. */
class KubefileFuzzTest {
    private static final Map<String, String> VARS = Map.of("VERSION", "v1.22.15", "REG", "127.0.0.1:5000");

    @Test
    void anyKubefileParsesOrIsRefusedWithItsLine() {
        Fuzzer.Report report = Fuzzer.text("kubefile",
                        "# base\nARG VERSION=v1.22.15\nFROM --platform=linux/arm64 kubernetes:${VERSION}\nENV A=1 B=\"two words\"\n"
                                + "LABEL team=infra \"quoted key\"=yes\nCOPY manifests/ imageList /manifests/\n",
                        "FROM scratch\nRUN mkdir -p etc && \\\n    echo hi > etc/hi\nRUN [\"sh\", \"-c\", \"true\"]\nCMD [\"kubectl\", \"apply\"]\n",
                        "FROM ${REG}/base:1\nAPP nginx local://nginx-chart\nAPPCMDS nginx [\"helm install\", \"echo done\"]\n"
                                + "APPENV nginx REPLICAS=2 MODE=ha\nCNI calico local://calico.yaml\nKUBEVERSION v1.22.15\nLAUNCH nginx calico\n",
                        "FROM scratch\nADD https://example.com/helm.tgz /bin/\nMAINTAINER Jane <j@example.com>\nENV LEGACY value with spaces\n")
                .dictionary("FROM ", "ARG ", "ENV ", "RUN ", "CMD ", "COPY ", "ADD ", "APP ", "APPCMDS ", "APPENV ", "CNI ", "CSI ",
                        "LAUNCH ", "KUBEVERSION ", "LABEL ", "\\\n", "${", "}", "${VERSION:-x}", "$VERSION", "--platform=", "--from=",
                        "local://", "https://", "[\"", "\", \"", "\"]", "=", "\"", "'", " ", "\n", "#")
                .run(input -> {
                    Kubefile kubefile = Kubefile.parse("Kubefile", input);
                    for (Instruction instruction : kubefile.instructions()) {
                        instruction.expandArgs(VARS::get);
                        instruction.expandFlag("platform", VARS::get);
                    }
                }, KubefileException.class);
        assertThat(report.crashes()).isEmpty();
    }
}
