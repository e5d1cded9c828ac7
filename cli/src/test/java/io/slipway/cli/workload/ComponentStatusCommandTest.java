package io.slipway.cli.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.Slipway;
import io.slipway.workload.progress.WorkloadProgress;
import io.slipway.workload.progress.WorkloadProgress.PodProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code slipway components status} asks workload-svc for a Component, follows its status stream and exits by how it settled. */
class ComponentStatusCommandTest {
    FakeWorkloadApi api;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;

    @BeforeEach
    void start() throws Exception {
        api = new FakeWorkloadApi();
        api.workloadPath = "/api/v1/components/default/team-a/orders";
        api.streamSuffix = "/status";
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(originalOut);
        api.close();
    }

    private int slipway(String... args) {
        var cli = Slipway.commandLine();
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("components", "status"));
        all.addAll(List.of(args));
        all.addAll(List.of("--server", api.url(), "--token", "test-token"));
        return cli.execute(all.toArray(String[]::new));
    }

    private static String view(String phase, String message, int updated, boolean settled) {
        List<PodProgress> pods = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean u = i >= 4 - updated; // the highest ordinals update first
            pods.add(new PodProgress("orders-" + i, "uid-" + i, "node-1", u ? "r2" : "r1", u, true, false, 0));
        }
        return Views.json(new WorkloadProgress("Component", "team-a", "orders", 3, 3, phase, message, 4, 4, updated, updated, "r1", "r2",
                pods, settled));
    }

    @Test
    void watchFollowsTheReleaseUntilAStepWaitsForResume() {
        api.views = List.of(view("Releasing", "step 1 of 3: 0 of 1 pods updated and ready", 0, false),
                view("Paused", "step 1 of 3 done (1 of 4 pods); waiting for resume, promote or abort", 1, true));
        assertThat(slipway("team-a/orders", "--watch")).as(err.toString()).isEqualTo(3);
        assertThat(api.requests).extracting(FakeWorkloadApi.Seen::path).containsExactly("/api/v1/components/default/team-a/orders",
                "/api/v1/components/default/team-a/orders/status");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("[----------] 0/4 updated", "[##--------] 1/4 updated",
                "Component team-a/orders: Paused", "paused:     step 1 of 3 done (1 of 4 pods); waiting for resume",
                "revision:   r1 -> r2", "pods not yet updated (3):");
    }

    @Test
    void aReadyComponentExitsZeroAndAnAbortedOneTwo() {
        api.views = List.of(view("Ready", null, 4, true));
        assertThat(slipway("-n", "team-a", "orders", "-w")).as(err.toString()).isZero();
        api.views = List.of(view("Aborted", "aborted at step 2 of 3: every pod returns to r1", 0, true));
        assertThat(slipway("team-a/orders", "-w")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("aborted:    aborted at step 2 of 3");
    }

    @Test
    void aMissingComponentOrABadNameIsAnErrorInTheUsersWords() {
        assertThat(slipway("team-a/nothing", "--cluster", "prod")).isEqualTo(1);
        assertThat(api.requests).extracting(FakeWorkloadApi.Seen::path).containsExactly("/api/v1/components/prod/team-a/nothing");
        assertThat(err.toString()).contains("no Component team-a/nothing in cluster prod");
        api.requests.clear();
        assertThat(slipway("Team-A/orders")).isEqualTo(1);
        assertThat(err.toString()).contains("component 'Team-A/orders': namespace 'Team-A' is not a Kubernetes name");
        assertThat(api.requests).isEmpty();
    }
}
