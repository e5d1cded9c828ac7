package io.slipway.bench.provision;

import io.slipway.provision.PoolPlan;
import io.slipway.provision.VirtualTicker;
import io.slipway.testkit.ec2.Ec2Error;
import io.slipway.testkit.ec2.Ec2Instance;
import io.slipway.testkit.ec2.InstanceState;
import io.slipway.testkit.ec2.SimulatedEc2;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * (c) Terraform with the AWS provider, as the issue describes it: one {@code aws_instance} per node, each its own
 * RunInstances of one instance and its own waiter (first describe 10 s after the create, then polls 3, 6, 10, 10 ... s
 * apart), at most 10 resources in flight ({@code -parallelism=10}, a resource holding its slot until its provisioner's
 * SSH connection answers). The SDK retries throttling and 5xx with exponential backoff under one idempotency token per
 * operation, so a lost response is not a duplicate; a capacity error or a failed boot fails the resource, and the
 * apply run again 10 s later creates it anew. A killed client loses the instance it was creating (Terraform records a
 * resource only when its create completes), and the next apply creates that one again.
 *
 * <p>Concurrency is simulated with a small discrete-event queue on the virtual clock: each resource's next step is an
 * event at a time; calls happen one after another (each 50 ms), as they would on one connection pool.
 */
public final class TerraformLike implements Strategy {
    static final int PARALLELISM = 10;
    static final Duration INITIAL_DELAY = Duration.ofSeconds(10);
    static final Duration MIN_POLL = Duration.ofSeconds(3);
    static final Duration MAX_POLL = Duration.ofSeconds(10);
    static final Duration REAPPLY = Duration.ofSeconds(10);

    private enum Step { CREATE, POLL, SSH }

    private static final class Resource {
        final String role;
        final int index;
        String token;
        String instanceId;
        Duration nextPoll = MIN_POLL;
        int sdkRetries;
        Instant readyAt;

        Resource(String role, int index) {
            this.role = role;
            this.index = index;
        }
    }

    private record Event(Instant at, long seq, Resource resource, Step step) {
    }

    @Override
    public String name() {
        return "terraform-like";
    }

    @Override
    public Outcome run(SimulatedEc2 ec2, VirtualTicker clock, PoolPlan plan, Scenario scenario, long seed) {
        return new Apply(new Ec2Client(ec2, clock), clock, plan, scenario, new Random(seed ^ 0x7e44af0L)).run(ec2);
    }

    private static final class Apply {
        private final Ec2Client client;
        private final VirtualTicker clock;
        private final PoolPlan plan;
        private final Random random;
        private final PriorityQueue<Event> events = new PriorityQueue<>(
                Comparator.comparing(Event::at).thenComparingLong(Event::seq));
        private final List<Resource> resources = new ArrayList<>();
        private final Deque<Resource> waiting = new ArrayDeque<>();
        private boolean crashPending;
        private long seq;
        private int active;

        Apply(Ec2Client client, VirtualTicker clock, PoolPlan plan, Scenario scenario, Random random) {
            this.client = client;
            this.clock = clock;
            this.plan = plan;
            this.random = random;
            this.crashPending = scenario.crashAfterFirstCreate();
            plan.roles().forEach(r -> {
                for (int i = 0; i < r.count(); i++) {
                    resources.add(new Resource(r.role(), i));
                }
            });
            waiting.addAll(resources);
        }

        Outcome run(SimulatedEc2 ec2) {
            startMore();
            while (!events.isEmpty()) {
                Event e = events.poll();
                if (e.at().isAfter(clock.now())) {
                    clock.sleep(Duration.between(clock.now(), e.at()));
                }
                switch (e.step()) {
                    case CREATE -> create(e.resource());
                    case POLL -> poll(e.resource());
                    case SSH -> ssh(e.resource());
                }
            }
            Instant done = resources.stream().map(r -> r.readyAt).max(Instant::compareTo).orElseThrow();
            return Strategy.outcome(ec2, plan, resources.stream().map(r -> r.instanceId).toList(), Strategy.since(done),
                    Double.NaN);
        }

        private void startMore() {
            while (active < PARALLELISM && !waiting.isEmpty()) {
                Resource r = waiting.poll();
                active++;
                r.token = newToken();
                at(clock.now(), r, Step.CREATE);
            }
        }

        private void create(Resource r) {
            try {
                r.instanceId = client.run(plan.poolId(), r.role, 1, r.token).instances().get(0).instanceId();
            } catch (Ec2Error e) {
                if ("InsufficientInstanceCapacity".equals(e.code())) {
                    reapply(r);
                } else {
                    sdkRetry(r, Step.CREATE, e);
                }
                return;
            }
            r.sdkRetries = 0;
            if (crashPending) {
                crash();
                return;
            }
            r.nextPoll = MIN_POLL;
            at(clock.now().plus(INITIAL_DELAY), r, Step.POLL);
        }

        private void poll(Resource r) {
            Ec2Instance instance;
            try {
                instance = client.describe(List.of(r.instanceId)).get(0);
            } catch (Ec2Error e) {
                if ("InvalidInstanceID.NotFound".equals(e.code())) {
                    pollAgain(r); // the waiter reads "not found" as not there yet
                } else {
                    sdkRetry(r, Step.POLL, e);
                }
                return;
            }
            r.sdkRetries = 0;
            if (instance.state() == InstanceState.RUNNING) {
                at(clock.now(), r, Step.SSH);
            } else if (instance.state() == InstanceState.PENDING) {
                pollAgain(r);
            } else {
                reapply(r); // failed to boot: tainted, created again by the next apply
            }
        }

        private void ssh(Resource r) {
            if (client.sshAnswers(r.instanceId)) {
                r.readyAt = clock.now();
                active--;
                startMore();
            } else {
                at(clock.now().plus(SSH_PROBE), r, Step.SSH);
            }
        }

        private void pollAgain(Resource r) {
            at(clock.now().plus(r.nextPoll), r, Step.POLL);
            Duration doubled = r.nextPoll.multipliedBy(2);
            r.nextPoll = doubled.compareTo(MAX_POLL) > 0 ? MAX_POLL : doubled;
        }

        /** The AWS SDK's retry: exponential from 500 ms (throttling) or 30 ms (other faults), half jittered, up to 20 s. */
        private void sdkRetry(Resource r, Step step, Ec2Error e) {
            long base = "RequestLimitExceeded".equals(e.code()) ? 500 : 30;
            long ceiling = Math.min(20_000, base << Math.min(r.sdkRetries, 10));
            r.sdkRetries++;
            long wait = ceiling / 2 + (long) (random.nextDouble() * (ceiling / 2.0));
            at(clock.now().plusMillis(wait), r, step);
        }

        private void reapply(Resource r) {
            r.instanceId = null;
            r.sdkRetries = 0;
            r.token = newToken();
            at(clock.now().plus(REAPPLY), r, Step.CREATE);
        }

        /** Killed: nothing in flight was recorded; the next apply starts every unfinished resource over. */
        private void crash() {
            crashPending = false;
            events.clear();
            waiting.clear();
            active = 0;
            for (Resource r : resources) {
                if (r.readyAt == null) {
                    r.instanceId = null;
                    waiting.add(r);
                }
            }
            clock.sleep(RESTART);
            startMore();
        }

        private void at(Instant t, Resource r, Step step) {
            events.add(new Event(t, seq++, r, step));
        }

        private String newToken() {
            return "tf-" + Long.toHexString(random.nextLong());
        }
    }
}
