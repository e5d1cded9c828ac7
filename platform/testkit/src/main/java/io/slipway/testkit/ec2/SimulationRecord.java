package io.slipway.testkit.ec2;

import io.slipway.provision.PoolPlan;
import io.slipway.provision.aws.Ec2Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the simulated EC2 knows that no client can see, at one moment ({@link #at}): every instance's life (including
 * when it will run and answer SSH), the API calls per action, those throttled and the errors answered. Benchmarks take
 * their floor (the slowest node's boot) and their call, throttle, duplicate and leak counts from here.
 *
 * @param calls     API calls per action, throttled and failed ones included
 * @param throttled calls per action answered {@code RequestLimitExceeded}
 * @param errors    error answers per code (throttling, capacity, 5xx, lost responses, bad requests)
 */
public record SimulationRecord(Instant at, List<InstanceLife> instances, Map<String, Long> calls,
                               Map<String, Long> throttled, Map<String, Long> errors) {

    public SimulationRecord {
        instances = List.copyOf(instances);
        calls = Map.copyOf(calls);
        throttled = Map.copyOf(throttled);
        errors = Map.copyOf(errors);
    }

    /**
     * One instance's life as scheduled at launch and changed by terminations; a time after {@link #at} is still to come.
     *
     * @param poolId      its {@code slipway:pool} tag (null when untagged)
     * @param runningAt   when it runs; null when it fails to boot
     * @param sshReadyAt  when its sshd answers; null when it fails to boot
     * @param shutdownAt  when it began shutting down (terminated by a client, or failed to boot); null while not
     * @param terminatedAt when it is terminated; null while not ended
     */
    public record InstanceLife(String instanceId, String poolId, String role, String token, String instanceType,
                               Instant launchedAt, Instant runningAt, Instant sshReadyAt, Instant shutdownAt,
                               Instant terminatedAt, String stateReason) {

        /** Pending or running at {@code t}. */
        public boolean aliveAt(Instant t) {
            return !t.isBefore(launchedAt) && (shutdownAt == null || t.isBefore(shutdownAt));
        }
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalThrottled() {
        return throttled.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The instances tagged with pool {@code poolId}, whatever became of them. */
    public List<InstanceLife> ofPool(String poolId) {
        return instances.stream().filter(i -> poolId.equals(i.poolId())).toList();
    }

    /** Instances alive at {@link #at}. */
    public List<InstanceLife> alive() {
        return instances.stream().filter(i -> i.aliveAt(at)).toList();
    }

    /**
     * Instances alive beyond what their pool's role wants (the latest launched count as the extra ones), for pools in
     * {@code wanted}. Instances of pools not in {@code wanted} are {@link #leaked}, not duplicates.
     */
    public List<String> duplicated(Collection<PoolPlan> wanted) {
        List<String> extra = new ArrayList<>();
        Map<String, Map<String, Integer>> counts = counts(wanted);
        Map<String, List<InstanceLife>> byPoolRole = new HashMap<>();
        for (InstanceLife i : alive()) {
            if (i.poolId() != null && counts.containsKey(i.poolId())) {
                byPoolRole.computeIfAbsent(i.poolId() + "\n" + i.role(), k -> new ArrayList<>()).add(i);
            }
        }
        for (List<InstanceLife> group : byPoolRole.values()) {
            InstanceLife first = group.get(0);
            int want = counts.get(first.poolId()).getOrDefault(first.role(), 0);
            if (want > 0 && group.size() > want) {
                group.stream().sorted(Comparator.comparing(InstanceLife::launchedAt)).skip(want)
                        .forEach(i -> extra.add(i.instanceId()));
            }
        }
        return extra.stream().sorted().toList();
    }

    /**
     * Instances alive and tagged with a pool that {@code wanted} does not hold, or with a role that pool does not want
     * any of: nobody will use or release them unless a reaper does.
     */
    public List<String> leaked(Collection<PoolPlan> wanted) {
        Map<String, Map<String, Integer>> counts = counts(wanted);
        return alive().stream()
                .filter(i -> i.poolId() != null)
                .filter(i -> !counts.containsKey(i.poolId()) || counts.get(i.poolId()).getOrDefault(i.role(), 0) == 0)
                .map(InstanceLife::instanceId).sorted().toList();
    }

    private static Map<String, Map<String, Integer>> counts(Collection<PoolPlan> wanted) {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        for (PoolPlan plan : wanted) {
            Map<String, Integer> roles = counts.computeIfAbsent(plan.poolId(), k -> new HashMap<>());
            plan.roles().forEach(r -> roles.merge(r.role(), r.count(), Integer::sum));
        }
        return counts;
    }

    static InstanceLife lifeOf(SimulatedInstance i) {
        Map<String, String> tags = i.tags();
        return new InstanceLife(i.id, tags.get(Ec2Tags.POOL), tags.get(Ec2Tags.ROLE), tags.get(Ec2Tags.TOKEN),
                i.launchedBy.instanceType(), i.launchedAt, i.runningAt, i.sshReadyAt, i.shutdownAt, i.terminatedAt,
                i.stateReasonCode);
    }
}
