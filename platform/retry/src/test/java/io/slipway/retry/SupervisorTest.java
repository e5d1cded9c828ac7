package io.slipway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorTest {
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(5), Duration.ofMillis(20));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Supervisor.Failure> failures = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private Supervisor supervisor;

    @AfterEach
    void stop() {
        if (supervisor != null) {
            supervisor.stop(released::countDown, WAIT);
        }
    }

    /** Fails its first {@code failing} runs, then works until released. */
    private Supervisor.Task failingFirst(int failing, AtomicInteger runs) {
        return () -> {
            threads.add(Thread.currentThread().getName());
            if (runs.incrementAndGet() <= failing) {
                throw new IllegalStateException("boom " + runs.get());
            }
            released.await();
        };
    }

    @Test
    void restartsAFailedRunOnItsNamedThreadAndCountsTheFailures() {
        AtomicInteger runs = new AtomicInteger();
        supervisor = Supervisor.named("sink-orders", QUICK).onFailure(failures::add).build(failingFirst(3, runs));
        assertThat(supervisor.start()).isTrue();

        await().atMost(WAIT).until(() -> runs.get() == 4);
        assertThat(supervisor.failuresInARow()).isEqualTo(3);
        assertThat(supervisor.restarts()).isEqualTo(3);
        assertThat(supervisor.lastError()).isEqualTo("boom 3");
        assertThat(failures).extracting(Supervisor.Failure::inARow).containsExactly(1, 2, 3);
        assertThat(failures).allSatisfy(f -> assertThat(f.retryIn()).isBetween(Duration.ofMillis(2), Duration.ofMillis(20)));
        assertThat(failures.get(2).error()).hasMessage("boom 3");
        assertThat(threads).containsOnly("sink-orders");
        assertThat(supervisor.start()).as("started already").isFalse();
    }

    @Test
    void aRunThatEndsNormallyStartsTheCountAfresh() {
        AtomicInteger runs = new AtomicInteger();
        supervisor = Supervisor.named("relay", QUICK).onFailure(failures::add).build(() -> {
            int run = runs.incrementAndGet();
            if (run == 1 || run == 2 || run == 4) {
                throw new IllegalStateException("boom " + run);
            }
            if (run > 4) {
                released.await();
            }
        });
        supervisor.start();

        await().atMost(WAIT).until(() -> runs.get() == 5);
        assertThat(failures).extracting(Supervisor.Failure::inARow).containsExactly(1, 2, 1);
        assertThat(supervisor.failuresInARow()).isEqualTo(1);
        assertThat(supervisor.restarts()).isEqualTo(3);
    }

    @Test
    void aRunThatLastedLongerThanAHealthyRunFailsAsTheFirstInARow() {
        AtomicInteger runs = new AtomicInteger();
        supervisor = Supervisor.named("ingest-prod", QUICK).healthyAfter(Duration.ofMillis(30)).onFailure(failures::add).build(() -> {
            int run = runs.incrementAndGet();
            if (run <= 2) {
                throw new IllegalStateException("quick " + run);
            }
            if (run == 3) {
                await().pollDelay(Duration.ofMillis(60)).until(() -> true); // a healthy run, then it fails
                throw new IllegalStateException("after a while");
            }
            released.await();
        });
        supervisor.start();

        await().atMost(WAIT).until(() -> runs.get() == 4);
        assertThat(failures).extracting(Supervisor.Failure::inARow).containsExactly(1, 2, 1);
        assertThat(supervisor.restarts()).isEqualTo(3);
    }

    @Test
    void healedStartsTheCountAfreshWhileARunGoesOn() {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch heal = new CountDownLatch(1);
        supervisor = Supervisor.named("relay", QUICK).build(() -> {
            if (runs.incrementAndGet() <= 2) {
                throw new IllegalStateException("down");
            }
            heal.await();
            supervisor.healed();
            released.await();
        });
        supervisor.start();

        await().atMost(WAIT).until(() -> runs.get() == 3);
        assertThat(supervisor.failuresInARow()).isEqualTo(2);
        heal.countDown();
        await().atMost(WAIT).until(() -> supervisor.failuresInARow() == 0);
        assertThat(supervisor.restarts()).isEqualTo(2);
    }

    @Test
    void standingByIsNoFailureAndWaitsItsOwnPause() {
        AtomicInteger runs = new AtomicInteger();
        supervisor = Supervisor.named("relay", new Backoff(Duration.ofHours(1), Duration.ofHours(1))).onFailure(failures::add).build(() -> {
            if (runs.incrementAndGet() <= 3) {
                throw new Supervisor.StandBy("another instance relays", Duration.ofMillis(5));
            }
            released.await();
        });
        supervisor.start();

        await().atMost(WAIT).until(() -> runs.get() == 4);
        assertThat(failures).isEmpty();
        assertThat(supervisor.failuresInARow()).isZero();
        assertThat(supervisor.restarts()).isZero();
        assertThat(supervisor.lastError()).isNull();
    }

    @Test
    void aStopEndsThePauseAtOnceAndRunsTheExitHookOnItsThread() {
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<String> exited = new CompletableFuture<>();
        supervisor = Supervisor.named("sink-chat", new Backoff(Duration.ofHours(1), Duration.ofHours(1)))
                .onExit(() -> exited.complete(Thread.currentThread().getName())).build(() -> {
                    runs.incrementAndGet();
                    throw new IllegalStateException("down");
                });
        supervisor.start();
        await().atMost(WAIT).until(() -> supervisor.restarts() == 1);

        assertThat(supervisor.stop(() -> { }, WAIT)).as("ended within the wait, not after the hour's pause").isTrue();
        assertThat(exited).isCompletedWithValue("sink-chat");
        assertThat(supervisor.stopping()).isTrue();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aStopEndsTheRegisteredRunAndWhatItThrowsThenIsNoFailure() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        List<CountDownLatch> registered = new CopyOnWriteArrayList<>();
        supervisor = Supervisor.named("sink-es", QUICK).onFailure(failures::add).build(() -> {
            runs.incrementAndGet();
            CountDownLatch closed = new CountDownLatch(1);
            if (!supervisor.whileRunning(() -> registered.add(closed))) {
                return;
            }
            closed.await();
            throw new IllegalStateException("consumer closed");
        });
        supervisor.start();
        await().atMost(WAIT).until(() -> registered.size() == 1);

        assertThat(supervisor.stop(() -> registered.forEach(CountDownLatch::countDown), WAIT)).isTrue();
        assertThat(failures).isEmpty();
        assertThat(supervisor.restarts()).isZero();
        assertThat(runs).hasValue(1);
        assertThat(supervisor.whileRunning(() -> registered.add(new CountDownLatch(1)))).as("not from another thread, nor stopped").isFalse();
    }

    @Test
    void interruptOnStopEndsARunThatOnlyAnInterruptEnds() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        AtomicInteger runs = new AtomicInteger();
        supervisor = Supervisor.named("ingest-dev", QUICK).interruptOnStop().onFailure(failures::add).build(() -> {
            runs.incrementAndGet();
            never.get();
        });
        supervisor.start();
        await().atMost(WAIT).until(() -> runs.get() == 1);

        assertThat(supervisor.stop(() -> { }, WAIT)).isTrue();
        assertThat(failures).isEmpty();
    }

    @Test
    void withoutInterruptOnStopTheRunIsNotInterrupted() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        supervisor = Supervisor.named("sink-kafka", QUICK).build(() -> {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
            }
        });
        supervisor.start();

        assertThat(supervisor.stop(release::countDown, WAIT)).isTrue();
        assertThat(interrupted).hasValue(0);
    }

    @Test
    void aStartAfterAStopRunsAgainAndKeepsTheCounts() {
        AtomicInteger runs = new AtomicInteger();
        supervisor = Supervisor.named("relay", QUICK).build(failingFirst(1, runs));
        supervisor.start();
        await().atMost(WAIT).until(() -> runs.get() == 2);
        supervisor.stop(released::countDown, WAIT);
        assertThat(supervisor.stopping()).isTrue();

        assertThat(supervisor.start()).isTrue();
        assertThat(supervisor.stopping()).isFalse();
        await().atMost(WAIT).until(() -> runs.get() >= 3);
        assertThat(supervisor.restarts()).isEqualTo(1);
        assertThat(supervisor.lastError()).isEqualTo("boom 1");
    }
}
