package io.slipway.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceJvmOptionsTest {
    @Test
    void anOptionNamingAServiceGoesToThatServiceOnly() {
        List<String> options = List.of("-Xmx512m", "infra-svc:-Dslipway.infra.providers.cloud.kind=aws", "deploy-svc:-Dx=1");
        assertThat(Stack.jvmOptionsFor("infra-svc", options)).containsExactly("-Xmx512m", "-Dslipway.infra.providers.cloud.kind=aws");
        assertThat(Stack.jvmOptionsFor("build-svc", options)).containsExactly("-Xmx512m");
        assertThat(Stack.jvmOptionsFor("deploy-svc", options)).containsExactly("-Xmx512m", "-Dx=1");
    }

    @Test
    void secretOptionsLeaveTheCommandLineForAFileOnlyTheServiceReads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data/" + ServiceProcess.SECRET_OPTIONS);
        String token = "tok=en with spaces #1";
        List<String> options = ServiceProcess.withSecretsInFile(List.of("-Xmx512m",
                "-Dslipway.build.git-credentials.\"127.0.0.1\".password=" + token, "-Dslipway.outbound.allow=loopback",
                "-Dquarkus.config.locations=file:/etc/slipway/extra.properties"), file);

        assertThat(String.join(" ", options)).doesNotContain(token).doesNotContain("password");
        assertThat(options).containsExactly("-Xmx512m", "-Dslipway.outbound.allow=loopback",
                "-Dquarkus.config.locations=file:/etc/slipway/extra.properties," + file.toUri());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Properties read = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            read.load(r);
        }
        assertThat(read.getProperty("slipway.build.git-credentials.\"127.0.0.1\".password")).isEqualTo(token);

        // started again without secrets: the old file goes, and no location names it
        assertThat(ServiceProcess.withSecretsInFile(List.of("-Xmx512m"), file)).containsExactly("-Xmx512m");
        assertThat(file).doesNotExist();
    }
}
