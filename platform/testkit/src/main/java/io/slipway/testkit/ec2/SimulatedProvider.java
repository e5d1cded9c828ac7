package io.slipway.testkit.ec2;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.Created;
import io.slipway.provision.Described;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshLogin;
import io.slipway.provision.SshReadiness;
import io.slipway.provision.VirtualTicker;
import io.slipway.provision.aws.Ec2Batches;
import io.slipway.provision.aws.Ec2Errors;
import io.slipway.provision.aws.Ec2Release;
import io.slipway.provision.aws.Ec2States;
import io.slipway.provision.aws.Ec2Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code simulated} provider: the {@code aws} provider's calls made on a {@link SimulatedEc2} directly, with no
 * HTTP, answering the same {@link ProviderException} codes and kinds. Each API call moves the virtual clock by a
 * latency, so time spent calling counts in a run. Benchmarks and tests drive it on one thread with a
 * {@link VirtualTicker}.
 */
public final class SimulatedProvider implements NodeProvider {
    public static final String KIND = "simulated";
    /** The instance type a request without a size gets. */
    public static final String DEFAULT_INSTANCE_TYPE = "m5.large";
    /** The image a request without one gets. */
    public static final String DEFAULT_IMAGE = "ami-0c0ffee0c0ffee000";
    /** How long a client waits for an answer before it calls it a timeout, unless told otherwise. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final SimulatedEc2 ec2;
    private final VirtualTicker clock;
    private final Duration latency;
    private final Duration callTimeout;
    private final SshLogin login;
    private final int listPageSize;

    /**
     * @param clock        the ticker {@code ec2} reads, advanced by {@code latency} per call
     * @param latency      how long one API call takes (half on the way there, half back)
     * @param callTimeout  how long the client waits for an answer that never comes (a lost request or response)
     * @param listPageSize MaxResults of {@link #listPooled()}'s pages (5-1000)
     */
    public SimulatedProvider(SimulatedEc2 ec2, VirtualTicker clock, Duration latency, Duration callTimeout,
                             SshLogin login, int listPageSize) {
        if (ec2.ticker() != clock) {
            throw new IllegalArgumentException("the provider must advance the clock the simulated EC2 reads");
        }
        this.ec2 = ec2;
        this.clock = clock;
        this.latency = latency;
        this.callTimeout = callTimeout;
        this.login = login;
        this.listPageSize = listPageSize;
    }

    /** Like the full constructor, with a call timeout of 10 s. */
    public SimulatedProvider(SimulatedEc2 ec2, VirtualTicker clock, Duration latency, SshLogin login, int listPageSize) {
        this(ec2, clock, latency, DEFAULT_CALL_TIMEOUT, login, listPageSize);
    }

    /** 50 ms a call, 10 s until a call times out, pages of 1000, a password login (there are no real hosts). */
    public SimulatedProvider(SimulatedEc2 ec2, VirtualTicker clock) {
        this(ec2, clock, Duration.ofMillis(50), DEFAULT_CALL_TIMEOUT, SshLogin.password("slipway", "simulated"), 1000);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Created create(CreateRequest request) {
        Map<String, String> tags = new LinkedHashMap<>(request.tags());
        tags.put(Ec2Tags.POOL, request.poolId());
        tags.put(Ec2Tags.ROLE, request.role());
        tags.put(Ec2Tags.TOKEN, request.token());
        RunInstances run = new RunInstances(request.image() != null ? request.image() : DEFAULT_IMAGE,
                request.size() != null ? request.size() : DEFAULT_INSTANCE_TYPE, 1, request.count(), tags, null, null,
                List.of(), request.token());
        Reservation reservation = call("RunInstances for pool " + request.poolId() + " role " + request.role()
                + " (token " + request.token() + ")", () -> ec2.runInstances(run));
        List<ProviderNode> nodes = reservation.instances().stream().map(SimulatedProvider::nodeOf).toList();
        int missing = request.count() - nodes.size();
        return missing > 0
                ? new Created(nodes, missing, "InsufficientInstanceCapacity: launched " + nodes.size() + " of "
                        + request.count() + " " + run.instanceType())
                : Created.all(nodes);
    }

    @Override
    public Described describe(Collection<String> nodeIds) {
        List<ProviderNode> seen = new ArrayList<>();
        for (List<String> batch : Ec2Batches.of(nodeIds)) {
            seen.addAll(pages(Map.of("instance-id", batch), 1000, "DescribeInstances of " + batch.size() + " instances"));
        }
        Set<String> unknown = new HashSet<>(nodeIds);
        seen.forEach(n -> unknown.remove(n.id()));
        return new Described(seen, unknown);
    }

    @Override
    public List<ProviderNode> listPooled() {
        return pages(Map.of("tag-key", List.of(Ec2Tags.POOL), "instance-state-name", Ec2States.NOT_TERMINATED),
                listPageSize, "DescribeInstances of pooled instances");
    }

    @Override
    public void release(Collection<String> nodeIds) {
        Ec2Release.terminate(nodeIds, batch -> call("TerminateInstances of " + batch.size() + " instances",
                () -> ec2.terminateInstances(batch)));
    }

    @Override
    public SshLogin login() {
        return login;
    }

    /** Answers from the simulation's own schedule: the node's synthetic host key once its sshd is up. */
    public SshReadiness sshReadiness() {
        return node -> ec2.sshHostKey(node.id());
    }

    public SimulatedEc2 ec2() {
        return ec2;
    }

    private List<ProviderNode> pages(Map<String, List<String>> filters, int pageSize, String what) {
        List<ProviderNode> nodes = new ArrayList<>();
        String next = null;
        do {
            String token = next;
            DescribePage page = call(what, () -> ec2.describeInstances(DescribeInstances.byFilters(filters, pageSize, token)));
            page.instances().forEach(i -> nodes.add(nodeOf(i)));
            next = page.nextToken();
        } while (next != null);
        return nodes;
    }

    private <T> T call(String what, Supplier<T> call) {
        Duration half = latency.dividedBy(2);
        clock.advance(half);
        try {
            T result = call.get();
            clock.advance(latency.minus(half));
            return result;
        } catch (Ec2Error e) {
            // a client learns of a lost request or response only when its timeout runs out
            clock.advance(e.timeout() ? callTimeout.minus(half) : latency.minus(half));
            throw new ProviderException(Ec2Errors.kindOf(e.code(), e.httpStatus()), e.code(),
                    what + ": " + e.getMessage() + " (simulated EC2)");
        }
    }

    static ProviderNode nodeOf(Ec2Instance i) {
        return new ProviderNode(i.instanceId(), i.tags().get(Ec2Tags.POOL), i.tags().get(Ec2Tags.ROLE),
                i.tags().get(Ec2Tags.TOKEN), i.amiLaunchIndex(), Ec2States.of(i.state().apiName()),
                i.privateIpAddress(), 22, i.launchTime(), i.stateReasonCode());
    }
}
