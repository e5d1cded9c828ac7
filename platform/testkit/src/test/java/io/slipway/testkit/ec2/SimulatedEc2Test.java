package io.slipway.testkit.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.provision.PoolPlan;
import io.slipway.provision.VirtualTicker;
import io.slipway.provision.aws.Ec2Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulated EC2 on its own: what it models, on virtual time. */
class SimulatedEc2Test {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final VirtualTicker clock = new VirtualTicker(START);

    private SimulatedEc2 ec2(Ec2Options options, long seed) {
        return new SimulatedEc2(options, seed, clock);
    }

    private static RunInstances run(int max, String token, String pool) {
        return new RunInstances("ami-0123456789abcdef0", "m5.large", 1, max,
                Map.of(Ec2Tags.POOL, pool, Ec2Tags.ROLE, "node", Ec2Tags.TOKEN, token), null, null, List.of(), token);
    }

    private static DescribeInstances byId(String id) {
        return DescribeInstances.byFilters(Map.of("instance-id", List.of(id)), null, null);
    }

    @Test
    void theSameSeedAndCallsGiveTheSameRunAndAnotherSeedAnother() {
        List<SimulationRecord.InstanceLife> first = scriptedRun(42);
        List<SimulationRecord.InstanceLife> again = scriptedRun(42);
        List<SimulationRecord.InstanceLife> other = scriptedRun(43);

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(other.get(0).instanceId()).isNotEqualTo(first.get(0).instanceId());
    }

    private List<SimulationRecord.InstanceLife> scriptedRun(long seed) {
        VirtualTicker own = new VirtualTicker(START);
        SimulatedEc2 ec2 = new SimulatedEc2(Ec2Options.builder().bootFailureRate(0.2).build(), seed, own);
        ec2.runInstances(run(5, "a", "p"));
        own.sleep(Duration.ofSeconds(3));
        ec2.runInstances(run(5, "b", "p"));
        return ec2.record().instances();
    }

    @Test
    void bootTimesAreLogNormalWithTheConfiguredMedianAndP99() {
        SimulatedEc2 ec2 = ec2(Ec2Options.defaults(), 1);
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            seconds.add(ec2.bootTime().toMillis() / 1000.0);
        }
        Collections.sort(seconds);

        assertThat(seconds.get(10_000)).isBetween(23.0, 27.0);
        assertThat(seconds.get(19_800)).isBetween(78.0, 104.0);
        assertThat(seconds.get(0)).isGreaterThanOrEqualTo(5.0);
    }

    @Test
    void aRequestBucketRefillsOverVirtualTime() {
        SimulatedEc2 ec2 = ec2(Ec2Options.builder().nonMutating(new Quota(5, 1)).build(), 1);
        DescribeInstances filtered = DescribeInstances.byFilters(Map.of("tag-key", List.of(Ec2Tags.POOL)), null, null);
        for (int i = 0; i < 5; i++) {
            ec2.describeInstances(filtered);
        }
        assertThatThrownBy(() -> ec2.describeInstances(filtered))
                .isInstanceOfSatisfying(Ec2Error.class, e -> assertThat(e.code()).isEqualTo("RequestLimitExceeded"));

        clock.sleep(Duration.ofSeconds(1));
        ec2.describeInstances(filtered);
        assertThatThrownBy(() -> ec2.describeInstances(filtered)).isInstanceOf(Ec2Error.class);

        clock.sleep(Duration.ofSeconds(60));
        for (int i = 0; i < 5; i++) {
            ec2.describeInstances(filtered);
        }
        assertThat(ec2.record().throttled()).containsEntry("DescribeInstances", 2L);
        assertThat(ec2.record().calls()).containsEntry("DescribeInstances", 13L);
    }

    @Test
    void aNewInstanceIsNotFoundByIdAndAbsentUnderFiltersUntilItPropagates() {
        SimulatedEc2 ec2 = ec2(Ec2Options.builder().visibilityDelayMax(Duration.ofSeconds(5)).build(), 3);
        String id = ec2.runInstances(run(1, "t", "p")).instances().get(0).instanceId();

        assertThatThrownBy(() -> ec2.describeInstances(new DescribeInstances(List.of(id), null, null, null)))
                .isInstanceOfSatisfying(Ec2Error.class, e -> {
                    assertThat(e.code()).isEqualTo("InvalidInstanceID.NotFound");
                    assertThat(e.getMessage()).contains(id);
                });
        assertThat(ec2.describeInstances(byId(id)).instances()).isEmpty();

        clock.sleep(Duration.ofSeconds(5));
        assertThat(ec2.describeInstances(byId(id)).instances()).extracting(Ec2Instance::instanceId).containsExactly(id);
    }

    @Test
    void anInstanceRunsAfterItsBootAndAnswersSshAfterThat() {
        SimulatedEc2 ec2 = ec2(Ec2Options.builder().visibilityDelayMax(Duration.ZERO).build(), 5);
        String id = ec2.runInstances(run(1, "t", "p")).instances().get(0).instanceId();
        SimulationRecord.InstanceLife life = ec2.record().instances().get(0);

        assertThat(ec2.describeInstances(byId(id)).instances().get(0).state()).isEqualTo(InstanceState.PENDING);
        assertThat(life.sshReadyAt()).isAfter(life.runningAt());

        clock.sleep(Duration.between(START, life.runningAt()));
        assertThat(ec2.describeInstances(byId(id)).instances().get(0).state()).isEqualTo(InstanceState.RUNNING);
        assertThat(ec2.sshHostKey(id)).isEmpty();

        clock.sleep(Duration.between(life.runningAt(), life.sshReadyAt()));
        assertThat(ec2.sshHostKey(id)).hasValueSatisfying(k -> assertThat(k).startsWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"));
        assertThat(ec2.sshHostKey(id)).isEqualTo(ec2.sshHostKey(id));
    }

    @Test
    void capacityRunsOutForPartOfARequestAndComesBackWhenInstancesTerminate() {
        SimulatedEc2 ec2 = ec2(Ec2Options.builder().capacity(Map.of("m5.large", 3)).visibilityDelayMax(Duration.ZERO)
                .build(), 1);
        Reservation first = ec2.runInstances(run(5, "a", "p"));
        assertThat(first.instances()).hasSize(3);
        assertThatThrownBy(() -> ec2.runInstances(run(2, "b", "p")))
                .isInstanceOfSatisfying(Ec2Error.class, e -> assertThat(e.code()).isEqualTo("InsufficientInstanceCapacity"));

        List<Termination> ended = ec2.terminateInstances(List.of(first.instances().get(0).instanceId()));
        assertThat(ended.get(0).currentState()).isEqualTo(InstanceState.SHUTTING_DOWN);
        clock.sleep(Duration.ofSeconds(12));
        assertThat(ec2.runInstances(run(2, "b", "p")).instances()).hasSize(1);
    }

    @Test
    void aClientTokenAnswersItsFirstReservationAndRefusesOtherParameters() {
        SimulatedEc2 ec2 = ec2(Ec2Options.defaults(), 1);
        Reservation first = ec2.runInstances(run(3, "tok", "p"));
        Reservation again = ec2.runInstances(run(3, "tok", "p"));

        assertThat(again.reservationId()).isEqualTo(first.reservationId());
        assertThat(again.instances()).extracting(Ec2Instance::instanceId)
                .isEqualTo(first.instances().stream().map(Ec2Instance::instanceId).toList());
        assertThat(ec2.record().instances()).hasSize(3);
        assertThatThrownBy(() -> ec2.runInstances(run(4, "tok", "p")))
                .isInstanceOfSatisfying(Ec2Error.class, e -> assertThat(e.code()).isEqualTo("IdempotentParameterMismatch"));
    }

    @Test
    void aLostResponseLeavesTheInstancesRunning() {
        SimulatedEc2 ec2 = ec2(Ec2Options.defaults(), 1);
        ec2.failNext("RunInstances", Ec2Fault.RESPONSE_LOST);

        assertThatThrownBy(() -> ec2.runInstances(run(2, "tok", "p")))
                .isInstanceOfSatisfying(Ec2Error.class, e -> assertThat(e.applied()).isTrue());
        assertThat(ec2.record().alive()).hasSize(2);
        assertThat(ec2.runInstances(run(2, "tok", "p")).instances()).hasSize(2);
        assertThat(ec2.record().alive()).hasSize(2);
    }

    @Test
    void anInstanceThatFailsToBootEndsTerminatedWithAReason() {
        SimulatedEc2 ec2 = ec2(Ec2Options.builder().bootFailureRate(1.0).build(), 1);
        String id = ec2.runInstances(run(1, "t", "p")).instances().get(0).instanceId();
        clock.sleep(Duration.ofMinutes(10));

        Ec2Instance seen = ec2.describeInstances(byId(id)).instances().get(0);
        assertThat(seen.state()).isEqualTo(InstanceState.TERMINATED);
        assertThat(seen.stateReasonCode()).isEqualTo("Server.InternalError");
        assertThat(ec2.record().instances().get(0).runningAt()).isNull();
        assertThat(ec2.sshHostKey(id)).isEmpty();
    }

    @Test
    void theRecordNamesDuplicatedAndLeakedInstances() {
        SimulatedEc2 ec2 = ec2(Ec2Options.defaults(), 1);
        List<String> wanted = ec2.runInstances(run(3, "a", "p")).instances().stream().map(Ec2Instance::instanceId).toList();
        clock.sleep(Duration.ofSeconds(1));
        List<String> twice = ec2.runInstances(run(2, "b", "p")).instances().stream().map(Ec2Instance::instanceId).toList();
        List<String> orphans = ec2.runInstances(run(2, "c", "gone")).instances().stream().map(Ec2Instance::instanceId).toList();
        PoolPlan plan = new PoolPlan("p", "simulated", List.of(new PoolPlan.RolePlan("node", 3, null, null)));

        SimulationRecord record = ec2.record();
        assertThat(record.duplicated(List.of(plan))).containsExactlyInAnyOrderElementsOf(twice);
        assertThat(record.leaked(List.of(plan))).containsExactlyInAnyOrderElementsOf(orphans);
        assertThat(record.leaked(List.of())).hasSize(7).containsAll(wanted);
    }

    @Test
    void hundredsOfRunsOfAHundredNodesTakeSeconds() {
        long started = System.nanoTime();
        for (int seed = 0; seed < 200; seed++) {
            VirtualTicker own = new VirtualTicker(START);
            SimulatedEc2 ec2 = new SimulatedEc2(Ec2Options.defaults(), seed, own);
            ec2.runInstances(run(100, "t", "p"));
            DescribeInstances pooled = DescribeInstances.byFilters(Map.of("tag:" + Ec2Tags.POOL, List.of("p"),
                    "instance-state-name", List.of("running")), null, null);
            while (ec2.describeInstances(pooled).instances().size() < 100) {
                own.sleep(Duration.ofSeconds(2));
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
}
