package io.slipway.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutesTest {
    private final Routes routes = Routes.standard(Map.of(
            "build-svc", URI.create("http://127.0.0.1:1001"),
            "deploy-svc", URI.create("http://127.0.0.1:1002"),
            "infra-svc", URI.create("http://127.0.0.1:1003"),
            "event-svc", URI.create("http://127.0.0.1:1004"),
            "workload-svc", URI.create("http://127.0.0.1:1005")));

    @Test
    void eachPrefixGoesToTheServiceThatOwnsIt() {
        assertThat(service("/api/v1/builds")).isEqualTo("build-svc");
        assertThat(service("/api/v1/builds/b-1")).isEqualTo("build-svc");
        assertThat(service("/api/v1/images/etcd:v1")).isEqualTo("build-svc");
        assertThat(service("/api/v1/deploy/builds/b-1")).isEqualTo("deploy-svc");
        assertThat(service("/api/v1/clusters/prod")).isEqualTo("deploy-svc");
        assertThat(service("/api/v1/infra/providers")).isEqualTo("infra-svc");
        assertThat(service("/api/v1/nodes")).isEqualTo("infra-svc");
        assertThat(service("/api/v1/kube-events/stream")).isEqualTo("event-svc");
        assertThat(service("/api/v1/sinks/slack")).isEqualTo("event-svc");
        assertThat(service("/api/v1/workloads/default/cloneset/web")).isEqualTo("workload-svc");
        assertThat(service("/api/v1/components/default/team-a/orders/status")).isEqualTo("workload-svc");
    }

    @Test
    void unknownPathsAndLongerWordsHaveNoRoute() {
        assertThat(routes.resolve("/api/v1/unknown")).isEmpty();
        assertThat(routes.resolve("/api/v1/buildsx")).isEmpty();
        assertThat(routes.resolve("/api/v1")).isEmpty();
        assertThat(routes.resolve("/")).isEmpty();
        assertThat(routes.resolve("/q/health")).isEmpty();
    }

    @Test
    void theLongestMatchingPrefixWins() {
        Routes nested = new Routes(List.of(
                new Routes.Route("/api/v1/deploy", "deploy-svc", URI.create("http://127.0.0.1:1")),
                new Routes.Route("/api/v1/deploy/builds", "build-svc", URI.create("http://127.0.0.1:2"))));
        assertThat(nested.resolve("/api/v1/deploy/builds/b-1")).get().extracting(Routes.Route::service).isEqualTo("build-svc");
        assertThat(nested.resolve("/api/v1/deploy/clusters")).get().extracting(Routes.Route::service).isEqualTo("deploy-svc");
        assertThat(nested.resolve("/api/v1/deploy/buildsx")).get().extracting(Routes.Route::service).isEqualTo("deploy-svc");
    }

    @Test
    void theTargetKeepsPathAndQueryUnchanged() {
        Routes.Route route = routes.resolve("/api/v1/builds/b-1").orElseThrow();
        assertThat(route.target("/api/v1/builds/b%2F1?limit=5&x=a+b"))
                .isEqualTo(URI.create("http://127.0.0.1:1001/api/v1/builds/b%2F1?limit=5&x=a+b"));
    }

    private String service(String path) {
        return routes.resolve(path).map(Routes.Route::service).orElse(null);
    }
}
