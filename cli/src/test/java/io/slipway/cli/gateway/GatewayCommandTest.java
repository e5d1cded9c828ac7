package io.slipway.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.cli.Slipway;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code slipway gateway}'s upstreams: every service once, by the names the routes use, with an http(s) URL. */
class GatewayCommandTest {

    private static final List<String> ALL = List.of("build-svc=http://build-svc:8080", "deploy-svc=http://deploy-svc:8080",
            "event-svc=http://event-svc:8080", "infra-svc=http://infra-svc:8080", "workload-svc=https://workload-svc:8443");

    @Test
    void everyServiceGetsItsUrl() {
        assertThat(GatewayCommand.upstreams(ALL)).containsEntry("build-svc", List.of(URI.create("http://build-svc:8080")))
                .containsEntry("workload-svc", List.of(URI.create("https://workload-svc:8443"))).hasSize(5);
    }

    @Test
    void aMissingServiceIsNamedWithTheExpectedOnes() {
        assertThatThrownBy(() -> GatewayCommand.upstreams(ALL.subList(0, 3)))
                .hasMessageContaining("missing for infra-svc, workload-svc")
                .hasMessageContaining("build-svc, deploy-svc, infra-svc, event-svc, workload-svc");
    }

    @Test
    void anUnknownNameADuplicateAndANonHttpUrlAreRefused() {
        List<String> unknown = new java.util.ArrayList<>(ALL);
        unknown.add("billing-svc=http://billing:8080");
        assertThatThrownBy(() -> GatewayCommand.upstreams(unknown))
                .hasMessageContaining("'billing-svc=http://billing:8080'").hasMessageContaining("SERVICE one of build-svc");
        List<String> twice = new java.util.ArrayList<>(ALL);
        twice.add(ALL.getFirst());
        assertThatThrownBy(() -> GatewayCommand.upstreams(twice)).hasMessageContaining("names build-svc at ").hasMessageContaining(" twice");
        List<String> second = new java.util.ArrayList<>(ALL);
        second.add("build-svc=http://build-svc-2:8080");
        assertThat(GatewayCommand.upstreams(second).get("build-svc"))
                .as("a service named again is a second instance").hasSize(2).contains(URI.create("http://build-svc-2:8080"));
        List<String> ftp = new java.util.ArrayList<>(ALL.subList(1, 5));
        ftp.add("build-svc=ftp://build-svc");
        assertThatThrownBy(() -> GatewayCommand.upstreams(ftp)).hasMessageContaining("not an http(s) base URL");
    }

    @Test
    void theCommandFailsWithTheMessageBeforeBinding() {
        StringWriter err = new StringWriter();
        var cli = Slipway.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("gateway", "--port", "0", "--upstream", "build-svc=http://127.0.0.1:1");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("slipway: --upstream missing for deploy-svc");
    }
}
