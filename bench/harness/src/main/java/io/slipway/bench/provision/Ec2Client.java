package io.slipway.bench.provision;

import io.slipway.provision.VirtualTicker;
import io.slipway.testkit.ec2.DescribeInstances;
import io.slipway.testkit.ec2.Ec2Error;
import io.slipway.testkit.ec2.Ec2Instance;
import io.slipway.testkit.ec2.Reservation;
import io.slipway.testkit.ec2.RunInstances;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulatedProvider;
import io.slipway.provision.aws.Ec2Tags;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The baselines' EC2 calls, straight on the simulated region as their tools make them (by instance ids, tokens or
 * none), each taking the same virtual time as the simulated provider's. Errors come out as the region's
 * {@code Ec2Error}.
 */
final class Ec2Client {
    static final Duration LATENCY = Duration.ofMillis(50);

    private final SimulatedEc2 ec2;
    private final VirtualTicker clock;

    Ec2Client(SimulatedEc2 ec2, VirtualTicker clock) {
        this.ec2 = ec2;
        this.clock = clock;
    }

    /** RunInstances of exactly {@code count} (all or nothing), tagged with the pool and role. */
    Reservation run(String poolId, String role, int count, String clientToken) {
        RunInstances request = new RunInstances(SimulatedProvider.DEFAULT_IMAGE, SimulatedProvider.DEFAULT_INSTANCE_TYPE,
                count, count, Map.of(Ec2Tags.POOL, poolId, Ec2Tags.ROLE, role), null, null, List.of(), clientToken);
        return timed(() -> ec2.runInstances(request));
    }

    /** DescribeInstances by ids: one id EC2 cannot see yet fails the call with InvalidInstanceID.NotFound. */
    List<Ec2Instance> describe(List<String> ids) {
        return timed(() -> ec2.describeInstances(new DescribeInstances(ids, Map.of(), null, null)).instances());
    }

    boolean sshAnswers(String id) {
        return ec2.sshHostKey(id).isPresent();
    }

    /** Like the simulated provider: 50 ms a call, and a lost request or response costs the client its 10 s timeout. */
    private <T> T timed(java.util.function.Supplier<T> call) {
        Duration half = LATENCY.dividedBy(2);
        clock.advance(half);
        try {
            T answer = call.get();
            clock.advance(half);
            return answer;
        } catch (Ec2Error e) {
            clock.advance(e.timeout() ? SimulatedProvider.DEFAULT_CALL_TIMEOUT.minus(half) : half);
            throw e;
        }
    }
}
