package io.slipway.cli.workload;

import static io.slipway.cli.workload.Views.pod;
import static io.slipway.cli.workload.Views.statefulSet;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.cli.api.PlatformClient;
import io.slipway.workload.progress.WorkloadProgress.PodProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A rollout view, as workload-svc serialises it, rendered as the summary and the progress bar a person reads. */
class WorkloadRolloutRenderingTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void theBarCountsUpdatedPodsAgainstDesiredAndThoseNotReady() throws Exception {
        assertThat(rollout(statefulSet("Progressing", "", 2, 1, 1, false, pod(0, true, true, false, 0), pod(1, false, true, false, 0),
                pod(2, false, false, false, 0))).bar()).isEqualTo("[###-------] 1/3 updated, 1 unavailable");
        assertThat(rollout(statefulSet("Finished", "", 3, 3, 3, true, pod(0, true, true, false, 0), pod(1, true, true, false, 0),
                pod(2, true, true, false, 0))).bar()).isEqualTo("[##########] 3/3 updated, 0 unavailable");
        assertThat(rollout(statefulSet("Finished", "", 0, 0, 0, true)).bar()).isEqualTo("[##########] 0/0 updated, 0 unavailable");
    }

    @Test
    void theSummaryShowsRevisionsReplicasTheStuckReasonAndThePodsNotYetUpdated() throws Exception {
        String reason = "pod web-1 cannot be updated in place (podUpdatePolicy InPlaceOnly): changed spec.containers[0].env";
        rollout(statefulSet("Blocked", reason, 2, 1, 1, true, pod(0, true, true, false, 0), pod(1, false, true, true, 2),
                pod(2, false, false, false, 0))).printSummary(out);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                StatefulSet default/web: Blocked
                  stuck:      %s
                  revision:   web-5c6b8d -> web-7d9f4a
                  replicas:   3 desired, 2 ready, 1 updated, 1 updated and ready
                  generation: 5
                  [###-------] 1/3 updated, 1 unavailable
                  pods not yet updated (2):
                    web-1                    revision web-5c6b8d           node node-1           ready, updating in place, 2 restart(s)
                    web-2                    revision web-5c6b8d           node node-2           not ready
                """.formatted(reason));
    }

    @Test
    void aPausedRolloutSaysSoAndAFinishedOneListsNoPods() throws Exception {
        rollout(statefulSet("Paused", "1 pod(s) wait for revision web-7d9f4a: the rollout is paused", 2, 1, 1, true,
                pod(0, true, true, false, 0), pod(1, false, true, false, 0))).printSummary(out);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("StatefulSet default/web: Paused")
                .contains("paused:     1 pod(s) wait for revision web-7d9f4a: the rollout is paused").contains("pods not yet updated (1):");
        bytes.reset();
        rollout(statefulSet("Finished", "every pod from ordinal 0 runs revision web-7d9f4a", 1, 1, 1, true, pod(0, true, true, false, 0)))
                .printSummary(out);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("reason:     every pod from ordinal 0 runs revision web-7d9f4a")
                .doesNotContain("pods not yet updated");
    }

    @Test
    void theExitCodeFollowsTheSettledPhase() throws Exception {
        assertThat(rollout(statefulSet("Finished", "", 0, 0, 0, true)).exitCode()).isEqualTo(Rollout.FINISHED).isZero();
        assertThat(rollout(statefulSet("Blocked", "", 0, 0, 0, true)).exitCode()).isEqualTo(Rollout.STUCK).isEqualTo(2);
        assertThat(rollout(statefulSet("Paused", "", 0, 0, 0, true)).exitCode()).isEqualTo(Rollout.PAUSED).isEqualTo(3);
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlace() throws Exception {
        RolloutWatch watch = new RolloutWatch(WorkloadRef.parse("sts/web", null), out, true);
        watch.accept(statefulSet("Progressing", "", 10, 0, 0, false, pods(10, 0)));
        watch.accept(statefulSet("Progressing", "", 9, 1, 1, false, pods(10, 1)));
        watch.accept(statefulSet("Finished", "", 10, 10, 10, true, pods(10, 10)));
        assertThat(watch.finish()).isZero();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("\r[----------] 0/10 updated, 0 unavailable"
                + "\r[#---------] 1/10 updated, 1 unavailable" + "\r[##########] 10/10 updated, 0 unavailable\n"
                + "StatefulSet default/web: Finished\n");
    }

    private static PodProgress[] pods(int total, int updated) {
        PodProgress[] pods = new PodProgress[total];
        for (int i = 0; i < total; i++) {
            pods[i] = pod(i, i < updated, true, false, 0);
        }
        return pods;
    }

    private static Rollout rollout(String json) throws Exception {
        return new Rollout(PlatformClient.mapper().readTree(json));
    }
}
