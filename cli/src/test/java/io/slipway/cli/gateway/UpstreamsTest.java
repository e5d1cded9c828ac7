package io.slipway.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's instances take requests in turn; one that refused a connection is passed over while others are there. */
class UpstreamsTest {
    private static final URI A = URI.create("http://127.0.0.1:1001");
    private static final URI B = URI.create("http://127.0.0.1:1002");
    private static final URI C = URI.create("http://127.0.0.1:1003");

    @Test
    void instancesTakeRequestsInTurn() {
        Upstreams upstreams = new Upstreams(List.of(A, B, C));
        assertThat(picks(upstreams, 6)).containsExactly(A, B, C, A, B, C);
    }

    @Test
    void anInstanceThatRefusedIsPassedOverAndWhenAllRefusedTheyAreTriedInTurn() {
        Upstreams upstreams = new Upstreams(List.of(A, B, C));
        upstreams.refused(B);
        assertThat(picks(upstreams, 4)).containsOnly(A, C).contains(A, C);
        upstreams.refused(A);
        upstreams.refused(C);
        assertThat(picks(upstreams, 3)).containsExactlyInAnyOrder(A, B, C);
    }

    @Test
    void theRoutesOfOneServiceShareItsRotation() {
        Routes routes = Routes.replicated(java.util.Map.of("build-svc", List.of(A, B), "deploy-svc", List.of(C), "event-svc", List.of(C),
                "infra-svc", List.of(C), "workload-svc", List.of(C)));
        URI first = routes.resolve("/api/v1/builds").orElseThrow().target("/api/v1/builds");
        URI second = routes.resolve("/api/v1/images").orElseThrow().target("/api/v1/images");
        assertThat(List.of(first.getPort(), second.getPort())).containsExactlyInAnyOrder(1001, 1002);
    }

    private static List<URI> picks(Upstreams upstreams, int n) {
        List<URI> picked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            picked.add(upstreams.pick());
        }
        return picked;
    }
}
