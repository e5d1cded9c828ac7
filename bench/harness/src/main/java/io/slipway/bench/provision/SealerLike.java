package io.slipway.bench.provision;

import io.slipway.provision.PoolPlan;
import io.slipway.provision.PoolPlan.RolePlan;
import io.slipway.provision.VirtualTicker;
import io.slipway.testkit.ec2.Ec2Error;
import io.slipway.testkit.ec2.Ec2Instance;
import io.slipway.testkit.ec2.SimulatedEc2;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * (d) sealer's infra module, as the issue describes it: one RunInstances per role for all its nodes (all or nothing),
 * no ClientToken, every error retried the same way after 1, 3, 5 ... 19 s (no jitter, ten tries), done once every
 * instance's private IP is known from a describe by ids; the ids live only in memory until then. A failed step or a
 * killed client starts the whole run over 10 s later, and what the earlier run made is left behind. After "done" it
 * waits for SSH like the others, for the time to a usable pool.
 */
public final class SealerLike implements Strategy {
    static final int TRIES = 10;
    static final int MAX_RUNS = 5;
    static final Duration SSH_GIVE_UP = Duration.ofMinutes(10);

    @Override
    public String name() {
        return "sealer-like";
    }

    @Override
    public Outcome run(SimulatedEc2 ec2, VirtualTicker clock, PoolPlan plan, Scenario scenario, long seed) {
        Ec2Client client = new Ec2Client(ec2, clock);
        boolean crashPending = scenario.crashAfterFirstCreate();
        for (int run = 0; run < MAX_RUNS; run++) {
            List<String> ids = new ArrayList<>();
            try {
                for (RolePlan role : plan.roles()) {
                    if (role.count() == 0) {
                        continue;
                    }
                    linear(clock, () -> client.run(plan.poolId(), role.role(), role.count(), null).instances())
                            .forEach(i -> ids.add(i.instanceId()));
                    if (crashPending) {
                        crashPending = false;
                        throw new ClientKilled();
                    }
                }
                linear(clock, () -> client.describe(ids)).stream().map(Ec2Instance::privateIpAddress)
                        .forEach(ip -> {
                            if (ip == null) {
                                throw new IllegalStateException("an instance without a private IP");
                            }
                        });
                double ipsKnown = Strategy.since(clock.now());
                double ready = awaitSsh(client, clock, ids);
                return Strategy.outcome(ec2, plan, ids, ready, ipsKnown);
            } catch (ClientKilled | GaveUp e) {
                clock.sleep(RESTART);
            }
        }
        return Strategy.outcome(ec2, plan, List.of(), Double.NaN, Double.NaN);
    }

    private static double awaitSsh(Ec2Client client, VirtualTicker clock, List<String> ids) {
        Set<String> waiting = new LinkedHashSet<>(ids);
        Instant giveUp = clock.now().plus(SSH_GIVE_UP);
        while (true) {
            waiting.removeIf(client::sshAnswers);
            if (waiting.isEmpty()) {
                return Strategy.since(clock.now());
            }
            if (clock.now().isAfter(giveUp)) {
                throw new GaveUp();
            }
            clock.sleep(SSH_PROBE);
        }
    }

    private static <T> T linear(VirtualTicker clock, Supplier<T> call) {
        for (int i = 0; ; i++) {
            try {
                return call.get();
            } catch (Ec2Error e) {
                if (i == TRIES - 1) {
                    throw new GaveUp();
                }
                clock.sleep(Duration.ofSeconds(2L * i + 1));
            }
        }
    }

    private static final class GaveUp extends RuntimeException {
        GaveUp() {
            super("gave up", null, false, false);
        }
    }
}
