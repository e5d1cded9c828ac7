package io.slipway.bench.provision;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.ForwardingProvider;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.PoolPlan;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.ProvisionListener;
import io.slipway.provision.VirtualTicker;
import io.slipway.provision.pace.BootEstimates;
import io.slipway.provision.pace.BootWaitSchedule;
import io.slipway.provision.pace.TokenBucket;
import io.slipway.provision.run.ProvisionOptions;
import io.slipway.provision.run.Provisioner;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulatedProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * (b) Slipway's {@link Provisioner} on the simulated provider. Its client-side bucket (10 calls deep, 5 a second) is
 * below every EC2 default bucket. The boot estimates are shared across seeds, as one infra-svc's are across pools. In
 * the crash scenario the provider call that made the first nodes never returns (the process dies in it); a new
 * Provisioner (a restarted process, fresh bucket) runs with the creates the listener journaled.
 */
public final class OursStrategy implements Strategy {
    /** The client bucket: 10 deep, 5 calls a second. */
    public static final int BUCKET_CAPACITY = 10;
    public static final double BUCKET_RATE = 5;

    private final BootEstimates estimates = BootEstimates.withDefaultPrior();

    @Override
    public String name() {
        return "ours";
    }

    @Override
    public Outcome run(SimulatedEc2 ec2, VirtualTicker clock, PoolPlan plan, Scenario scenario, long seed) {
        SimulatedProvider provider = new SimulatedProvider(ec2, clock);
        ProvisionOptions options = ProvisionOptions.defaults().withSeed(seed).withBootEstimates(estimates);
        options = options.withBootWait(bootWait(options.bootWait()));
        Journal journal = new Journal();
        List<ProviderNode> nodes;
        try {
            if (scenario.crashAfterFirstCreate()) {
                try {
                    provisioner(new DyingAfterFirstCreate(provider), provider, clock, options).run(plan, List.of(), journal);
                    throw new IllegalStateException("the client was to be killed after its first create");
                } catch (ClientKilled killed) {
                    clock.sleep(RESTART);
                }
            }
            nodes = provisioner(provider, provider, clock, options).run(plan, List.copyOf(journal.requests), journal);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Strategy.outcome(ec2, plan, nodes.stream().map(ProviderNode::id).toList(), Strategy.since(clock.now()),
                Double.NaN);
    }

    /** The boot-wait schedule, its defaults changed by {@code bench.ours.first|min|max|tail|confidence}, to try one. */
    private static BootWaitSchedule bootWait(BootWaitSchedule d) {
        return new BootWaitSchedule(seconds("bench.ours.first", d.first()), seconds("bench.ours.min", d.min()),
                seconds("bench.ours.max", d.max()), number("bench.ours.tail", d.tailFraction()),
                number("bench.ours.confidence", d.confidence()));
    }

    private static Duration seconds(String key, Duration otherwise) {
        String v = System.getProperty(key);
        return v == null ? otherwise : Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
    }

    private static double number(String key, double otherwise) {
        String v = System.getProperty(key);
        return v == null ? otherwise : Double.parseDouble(v);
    }

    private static Provisioner provisioner(NodeProvider provider, SimulatedProvider sim, VirtualTicker clock,
                                           ProvisionOptions options) {
        return new Provisioner(provider, sim.sshReadiness(), clock, new TokenBucket(clock, BUCKET_CAPACITY, BUCKET_RATE),
                options);
    }

    /** What infra-svc's outbox would hold: every create, recorded before it goes out. */
    private static final class Journal implements ProvisionListener {
        final List<CreateRequest> requests = new ArrayList<>();

        @Override
        public void creating(CreateRequest request) {
            requests.add(request);
        }

        @Override
        public void created(CreateRequest request, List<ProviderNode> nodes) {
        }

        @Override
        public void shortfall(CreateRequest request, int missing, String reason) {
        }

        @Override
        public void running(ProviderNode node) {
        }

        @Override
        public void ready(ProviderNode node, String hostKey) {
        }

        @Override
        public void failed(ProviderNode node, String reason) {
        }

        @Override
        public void poolReady(List<ProviderNode> nodes) {
        }
    }

    /** The process dies inside the first create that the region performed: its answer is never seen. */
    private static final class DyingAfterFirstCreate extends ForwardingProvider {
        DyingAfterFirstCreate(NodeProvider delegate) {
            super(delegate);
        }

        @Override
        public Created create(CreateRequest request) {
            delegate().create(request);
            throw new ClientKilled();
        }
    }
}
