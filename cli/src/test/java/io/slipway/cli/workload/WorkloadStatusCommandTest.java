package io.slipway.cli.workload;

import static io.slipway.cli.workload.Views.pod;
import static io.slipway.cli.workload.Views.statefulSet;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.Slipway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code slipway workloads status} asks workload-svc's REST API, follows its Server-Sent Events and exits by how the rollout ended. */
class WorkloadStatusCommandTest {
    FakeWorkloadApi api;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;

    static final String PROGRESSING = statefulSet("Progressing", "", 3, 0, 0, false,
            pod(0, false, true, false, 0), pod(1, false, true, false, 0), pod(2, false, true, false, 0));
    static final String FIRST_POD_OUT = statefulSet("Progressing", "", 2, 1, 0, false,
            pod(0, true, false, false, 0), pod(1, false, true, false, 0), pod(2, false, true, false, 0));
    static final String FIRST_POD_BACK = statefulSet("Progressing", "", 3, 1, 1, false,
            pod(0, true, true, false, 0), pod(1, false, true, false, 0), pod(2, false, true, false, 0));
    static final String FINISHED = statefulSet("Finished", "every pod from ordinal 0 runs revision web-7d9f4a", 3, 3, 3, true,
            pod(0, true, true, false, 0), pod(1, true, true, false, 0), pod(2, true, true, false, 0));

    @BeforeEach
    void start() throws Exception {
        api = new FakeWorkloadApi();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(originalOut);
        api.close();
    }

    int slipwayAt(String server, String... args) {
        var cli = Slipway.commandLine();
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 6];
        all[0] = "workloads";
        all[1] = "status";
        System.arraycopy(args, 0, all, 2, args.length);
        all[args.length + 2] = "--server";
        all[args.length + 3] = server;
        all[args.length + 4] = "--token";
        all[args.length + 5] = "test-token";
        return cli.execute(all);
    }

    int slipway(String... args) {
        return slipwayAt(api.url(), args);
    }

    String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutWatchOneSummaryIsPrintedFromTheWorkloadsView() {
        api.views = List.of(FIRST_POD_BACK);
        assertThat(slipway("default/asts/web")).as(err.toString()).isZero();
        assertThat(api.requests).extracting(FakeWorkloadApi.Seen::path).containsExactly("/api/v1/workloads/default/statefulsets/web");
        assertThat(api.requests.get(0).authorization()).isEqualTo("Bearer test-token");
        assertThat(printed()).startsWith("StatefulSet default/web: Progressing\n")
                .contains("revision:   web-5c6b8d -> web-7d9f4a", "replicas:   3 desired, 3 ready, 1 updated, 1 updated and ready",
                        "[###-------] 1/3 updated, 0 unavailable", "pods not yet updated (2):")
                .containsPattern("web-1 +revision web-5c6b8d +node node-1 +ready");
    }

    @Test
    void theNamespaceOptionAndAKindNameReachTheSamePath() {
        api.workloadPath = "/api/v1/workloads/prod/statefulsets/web";
        api.views = List.of(FINISHED);
        assertThat(slipway("-n", "prod", "sts/web")).as(err.toString()).isZero();
        assertThat(api.requests.get(0).path()).isEqualTo("/api/v1/workloads/prod/statefulsets/web");
    }

    @Test
    void clusterAsksForTheWorkloadOfThatClusterInTheViewAndTheStream() {
        api.views = List.of(FIRST_POD_BACK, FINISHED);
        assertThat(slipway("default/sts/web", "--cluster", "east", "--watch")).as(err.toString()).isZero();
        assertThat(api.requests).extracting(FakeWorkloadApi.Seen::path, FakeWorkloadApi.Seen::query).containsExactly(
                org.assertj.core.groups.Tuple.tuple("/api/v1/workloads/default/statefulsets/web", "cluster=east"),
                org.assertj.core.groups.Tuple.tuple("/api/v1/workloads/default/statefulsets/web/stream", "cluster=east"));
        assertThat(slipway("default/sts/web", "--cluster", "East&x=1")).isEqualTo(1);
        assertThat(err.toString()).contains("--cluster 'East&x=1' is not a cluster name");
        assertThat(api.requests).hasSize(2);
    }

    @Test
    void watchFollowsTheStreamWithOneLinePerChangeAndEndsWithTheSummary() {
        api.views = List.of(PROGRESSING, FIRST_POD_OUT, FIRST_POD_BACK, FINISHED);
        assertThat(slipway("default/statefulset/web", "--watch")).as(err.toString()).isZero();
        assertThat(api.requests).extracting(FakeWorkloadApi.Seen::path).containsExactly(
                "/api/v1/workloads/default/statefulsets/web", "/api/v1/workloads/default/statefulsets/web/stream");
        assertThat(api.requests.get(1).accept()).isEqualTo("text/event-stream");
        // not a terminal: no carriage returns, and the GET's view and the stream's first one give one line
        assertThat(printed()).doesNotContain("\r").startsWith("""
                [----------] 0/3 updated, 0 unavailable
                [###-------] 1/3 updated, 1 unavailable
                [###-------] 1/3 updated, 0 unavailable
                [##########] 3/3 updated, 0 unavailable
                StatefulSet default/web: Finished
                """).doesNotContain("pods not yet updated");
    }

    @Test
    void aRolloutThatEndsStuckExitsTwoWithTheReasonAndAPausedOneThree() {
        String reason = "pod web-1 cannot be updated in place (podUpdatePolicy InPlaceOnly): changed spec.containers[0].env";
        api.views = List.of(FIRST_POD_BACK, statefulSet("Blocked", reason, 3, 1, 1, true,
                pod(0, true, true, false, 0), pod(1, false, true, false, 0), pod(2, false, true, false, 0)));
        assertThat(slipway("default/sts/web", "-w")).isEqualTo(2);
        assertThat(printed()).contains("StatefulSet default/web: Blocked", "stuck:      " + reason, "pods not yet updated (2):");

        api.views = List.of(statefulSet("Paused", "2 pod(s) wait for revision web-7d9f4a: the rollout is paused", 3, 1, 1, true,
                pod(0, true, true, false, 0), pod(1, false, true, false, 0), pod(2, false, true, false, 0)));
        assertThat(slipway("default/sts/web", "-w")).isEqualTo(3);
        assertThat(printed()).contains("paused:     2 pod(s) wait for revision web-7d9f4a: the rollout is paused");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aStreamThatBreaksOffBeforeTheRolloutSettlesIsAnError() {
        api.views = List.of(PROGRESSING, FIRST_POD_OUT);
        assertThat(slipway("default/sts/web", "--watch")).isEqualTo(1);
        assertThat(err.toString()).contains("slipway: workload-svc's stream of StatefulSet default/web ended before the rollout settled (Progressing)");
    }

    @Test
    void aMissingWorkloadIsNamedInTheUsersWords() {
        api.views = List.of();
        assertThat(slipway("default/sts/web")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("slipway: no StatefulSet default/web" + System.lineSeparator());
        assertThat(slipway("default/sts/web", "--watch")).isEqualTo(1);
        assertThat(api.requests).noneMatch(r -> r.path().endsWith("/stream"));
    }

    @Test
    void aKindWorkloadSvcHasNoViewOfIsNotReportedAsAMissingWorkload() {
        api.views = List.of();
        assertThat(slipway("default/bcj/warmup")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("slipway: workload-svc does not show broadcastjobs (it shows statefulsets)" + System.lineSeparator());
    }

    @Test
    void anUnreachablePlatformIsNamedByItsUrl() throws Exception {
        String closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = "http://127.0.0.1:" + socket.getLocalPort();
        }
        assertThat(slipwayAt(closed, "default/sts/web")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("slipway: cannot reach the platform at " + closed + " (is it up? slipway status)" + System.lineSeparator());
    }

    @Test
    void aBadArgumentNamesTheFieldAndSendsNothing() {
        assertThat(slipway("default/deployment/web")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("slipway: workload 'default/deployment/web': kind 'deployment' is not one of "
                + "statefulset (asts, sts), broadcastjob (bcj), sidecarset" + System.lineSeparator());
        assertThat(api.requests).isEmpty();
        assertThat(slipway()).isEqualTo(2); // picocli: WORKLOAD is required
        assertThat(err.toString()).contains("Missing required parameter: 'WORKLOAD'").doesNotContain("Exception");
    }
}
