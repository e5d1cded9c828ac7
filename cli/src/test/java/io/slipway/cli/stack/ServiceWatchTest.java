package io.slipway.cli.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.retry.Backoff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack's restart of a dead service, on real processes standing in for the services' JVMs. */
class ServiceWatchTest {
    private static final ServiceSpec SPEC = new ServiceSpec("workload-svc", "workload");
    private static final ServiceWatch.Policy QUICK = new ServiceWatch.Policy(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)), 3,
            Duration.ofMinutes(1));

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream progress = new PrintStream(output, true, StandardCharsets.UTF_8);
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        started.forEach(Process::destroyForcibly);
    }

    private ServiceProcess run(String script) {
        try {
            Process p = new ProcessBuilder("sh", "-c", script).start();
            started.add(p);
            return ServiceProcess.of(SPEC, 40123, dir.resolve("workload-svc.log"), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aKilledServiceIsStartedAgainOnItsPortAndAStoppedOneIsNot() {
        AtomicInteger changes = new AtomicInteger();
        ServiceProcess first = run("exec sleep 600");
        ServiceWatch watch = new ServiceWatch(first, () -> run("exec sleep 600"), QUICK, scheduler, progress, w -> changes.incrementAndGet());

        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL, as the user did
        await().atMost(Duration.ofSeconds(20)).until(() -> watch.restarts() == 1 && watch.state() == ServiceWatch.State.RUNNING);
        assertThat(watch.current().pid()).isNotEqualTo(first.pid());
        assertThat(watch.current().isAlive()).isTrue();
        assertThat(watch.current().port()).isEqualTo(first.port());
        assertThat(watch.lastExit()).startsWith("was killed by signal 9 (SIGKILL) at ");
        assertThat(changes.get()).isEqualTo(1);
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("workload-svc was killed by signal 9 (SIGKILL); restarting in");

        ServiceProcess second = watch.stopWatching();
        second.requestStop();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                .until(() -> !second.isAlive() && watch.restarts() == 1 && watch.state() == ServiceWatch.State.STOPPED);
    }

    @Test
    void aServiceThatKeepsCrashingIsGivenUpWithItsLastExitAndLog() {
        AtomicInteger changes = new AtomicInteger();
        ServiceWatch watch = new ServiceWatch(run("exit 3"), () -> run("exit 3"), QUICK, scheduler, progress, w -> changes.incrementAndGet());

        await().atMost(Duration.ofSeconds(20)).until(() -> watch.state() == ServiceWatch.State.GAVE_UP);
        assertThat(watch.restarts()).isEqualTo(3);
        assertThat(watch.lastExit()).startsWith("exited with code 3 at ");
        assertThat(changes.get()).isEqualTo(4); // three restarts, then giving up
        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("crash 1 of at most 3", "crash 3 of at most 3")
                .contains("workload-svc crashed 4 times within 1 min (last: exited with code 3); it is not restarted again. See "
                        + dir.resolve("workload-svc.log"));
        int processes = started.size();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> started.size() == processes);
    }

    @Test
    void exitsAreDescribedAsAShellWould() {
        assertThat(ServiceWatch.describeExit(137)).isEqualTo("was killed by signal 9 (SIGKILL)");
        assertThat(ServiceWatch.describeExit(143)).isEqualTo("was killed by signal 15 (SIGTERM)");
        assertThat(ServiceWatch.describeExit(134)).isEqualTo("was killed by signal 6");
        assertThat(ServiceWatch.describeExit(1)).isEqualTo("exited with code 1");
    }
}
