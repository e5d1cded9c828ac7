package io.slipway.bench.provision;

import io.slipway.provision.PoolPlan;
import io.slipway.provision.VirtualTicker;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A way of provisioning a pool on the simulated region, run once per seed on its own region and virtual clock. */
public interface Strategy {
    Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** How long a killed client takes to be running again (a supervisor's restart). */
    Duration RESTART = Duration.ofSeconds(10);
    /** How often every strategy probes SSH on a running node (not an API call; the same for all, to compare the API waits). */
    Duration SSH_PROBE = Duration.ofSeconds(1);

    String name();

    Outcome run(SimulatedEc2 ec2, VirtualTicker clock, PoolPlan plan, Scenario scenario, long seed);

    /** The client was killed: everything it held in memory is gone. */
    final class ClientKilled extends RuntimeException {
        public ClientKilled() {
            super("client killed (simulated SIGKILL)", null, false, false);
        }
    }

    static double since(Instant t) {
        return t == null ? Double.NaN : Duration.between(T0, t).toNanos() / 1e9;
    }

    /** The outcome from the region's record, with the floor taken over the nodes the strategy ended up with. */
    static Outcome outcome(SimulatedEc2 ec2, PoolPlan plan, Collection<String> finalIds, double ready, double ipsKnown) {
        SimulationRecord record = ec2.record();
        Set<String> ids = Set.copyOf(finalIds);
        List<SimulationRecord.InstanceLife> mine = record.instances().stream()
                .filter(i -> ids.contains(i.instanceId())).toList();
        double floorRunning = mine.stream().map(SimulationRecord.InstanceLife::runningAt)
                .filter(java.util.Objects::nonNull).mapToDouble(Strategy::since).max().orElse(Double.NaN);
        double floorSsh = mine.stream().map(SimulationRecord.InstanceLife::sshReadyAt)
                .filter(java.util.Objects::nonNull).mapToDouble(Strategy::since).max().orElse(Double.NaN);
        Map<String, Long> calls = record.calls().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        return new Outcome(ready, ipsKnown, floorRunning, floorSsh, calls, record.totalThrottled(),
                record.duplicated(List.of(plan)).size(), record.leaked(List.of(plan)).size());
    }
}
