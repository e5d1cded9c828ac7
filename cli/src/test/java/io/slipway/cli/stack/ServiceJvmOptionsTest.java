package io.slipway.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceJvmOptionsTest {
    @Test
    void anOptionNamingAServiceGoesToThatServiceOnly() {
        List<String> options = List.of("-Xmx512m", "infra-svc:-Dslipway.infra.providers.cloud.kind=aws", "deploy-svc:-Dx=1");
        assertThat(Stack.jvmOptionsFor("infra-svc", options)).containsExactly("-Xmx512m", "-Dslipway.infra.providers.cloud.kind=aws");
        assertThat(Stack.jvmOptionsFor("build-svc", options)).containsExactly("-Xmx512m");
        assertThat(Stack.jvmOptionsFor("deploy-svc", options)).containsExactly("-Xmx512m", "-Dx=1");
    }
}
