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

/** The stack's restart of a dead process, on real processes standing in for the services' JVMs. */
class ProcessWatchTest {
    private static final ServiceSpec SPEC = new ServiceSpec("workload-svc", "workload");
    private static final ProcessWatch.Policy QUICK = new ProcessWatch.Policy(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)), 3,
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
        ProcessWatch<ServiceProcess> watch = new ProcessWatch<>("workload-svc", first, () -> run("exec sleep 600"), QUICK, scheduler, progress, w -> changes.incrementAndGet());

        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL, as the user did
        await().atMost(Duration.ofSeconds(20)).until(() -> watch.restarts() == 1 && watch.state() == ProcessWatch.State.RUNNING);
        assertThat(watch.current().pid()).isNotEqualTo(first.pid());
        assertThat(watch.current().isAlive()).isTrue();
        assertThat(watch.current().port()).isEqualTo(first.port());
        assertThat(watch.lastExit()).startsWith("was killed by signal 9 (SIGKILL) at ");
        assertThat(changes.get()).isEqualTo(1);
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("workload-svc was killed by signal 9 (SIGKILL); restarting in");

        ServiceProcess second = watch.stopWatching();
        second.requestStop();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                .until(() -> !second.isAlive() && watch.restarts() == 1 && watch.state() == ProcessWatch.State.STOPPED);
    }

    @Test
    void aServiceThatKeepsCrashingIsGivenUpWithItsLastExitAndLog() {
        AtomicInteger changes = new AtomicInteger();
        ProcessWatch<ServiceProcess> watch = new ProcessWatch<>("workload-svc", run("exit 3"), () -> run("exit 3"), QUICK, scheduler, progress, w -> changes.incrementAndGet());

        await().atMost(Duration.ofSeconds(20)).until(() -> watch.state() == ProcessWatch.State.GAVE_UP);
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
    void aStartThatFailsCountsAsACrashAndIsTriedAgain() {
        AtomicInteger changes = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        ServiceProcess first = run("exec sleep 600");
        ProcessWatch<ServiceProcess> watch = new ProcessWatch<>("kafka", first, () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("port 40123 is still held\nmore detail");
            }
            return run("exec sleep 600");
        }, QUICK, scheduler, progress, w -> changes.incrementAndGet());

        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(20)).until(() -> watch.restarts() == 1 && watch.state() == ProcessWatch.State.RUNNING);
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(watch.current().pid()).isNotEqualTo(first.pid());
        assertThat(watch.lastExit()).startsWith("could not start (port 40123 is still held) at ");
        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("kafka was killed by signal 9 (SIGKILL); restarting in", "(crash 1 of at most 3",
                        "kafka could not be started again: port 40123 is still held", "(crash 2 of at most 3");
        watch.stopWatching();
    }

    @Test
    void aHeldServiceStaysStoppedWithoutCountingACrashUntilReleased() {
        AtomicInteger changes = new AtomicInteger();
        ServiceProcess first = run("exec sleep 600");
        ProcessWatch<ServiceProcess> watch = new ProcessWatch<>("deploy-svc", first, () -> run("exec sleep 600"), QUICK, scheduler, progress,
                w -> changes.incrementAndGet());

        assertThat(watch.hold()).isTrue();
        assertThat(watch.hold()).as("already held").isFalse();
        first.requestStop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.isAlive() && changes.get() == 1);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
                .until(() -> watch.state() == ProcessWatch.State.HELD && watch.current() == first && started.size() == 1);
        assertThat(watch.lastExit()).startsWith("stopped on request (slipway stop) at ");
        assertThat(watch.restarts()).isZero();

        watch.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.state() == ProcessWatch.State.RUNNING && watch.current() != first);
        assertThat(watch.current().isAlive()).isTrue();
        assertThat(watch.restarts()).as("a start on request is not a restart after a crash").isZero();

        // and a crash after that is one again
        ProcessHandle.of(watch.current().pid()).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(20)).until(() -> watch.restarts() == 1 && watch.state() == ProcessWatch.State.RUNNING);
        watch.stopWatching();
    }

    @Test
    void exitsAreDescribedAsAShellWould() {
        assertThat(ProcessWatch.describeExit(137)).isEqualTo("was killed by signal 9 (SIGKILL)");
        assertThat(ProcessWatch.describeExit(143)).isEqualTo("was killed by signal 15 (SIGTERM)");
        assertThat(ProcessWatch.describeExit(134)).isEqualTo("was killed by signal 6");
        assertThat(ProcessWatch.describeExit(1)).isEqualTo("exited with code 1");
    }
}
