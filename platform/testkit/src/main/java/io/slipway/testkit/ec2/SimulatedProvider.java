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

    private final SimulatedEc2 ec2;
    private final VirtualTicker clock;
    private final Duration latency;
    private final SshLogin login;
    private final int listPageSize;

    /**
     * @param clock        the ticker {@code ec2} reads, advanced by {@code latency} per call
     * @param latency      how long one API call takes (half on the way there, half back)
     * @param listPageSize MaxResults of {@link #listPooled()}'s pages (5-1000)
     */
    public SimulatedProvider(SimulatedEc2 ec2, VirtualTicker clock, Duration latency, SshLogin login, int listPageSize) {
        if (ec2.ticker() != clock) {
            throw new IllegalArgumentException("the provider must advance the clock the simulated EC2 reads");
        }
        this.ec2 = ec2;
        this.clock = clock;
        this.latency = latency;
        this.login = login;
        this.listPageSize = listPageSize;
    }

    /** 50 ms a call, pages of 1000, a password login (the simulation has no real hosts to log in to). */
    public SimulatedProvider(SimulatedEc2 ec2, VirtualTicker clock) {
        this(ec2, clock, Duration.ofMillis(50), SshLogin.password("slipway", "simulated"), 1000);
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
        List<String> notVisible = new ArrayList<>();
        for (List<String> batch : Ec2Batches.of(nodeIds)) {
            List<String> rest = new ArrayList<>(batch);
            while (!rest.isEmpty()) {
                try {
                    List<String> ids = List.copyOf(rest);
                    call("TerminateInstances of " + ids.size() + " instances", () -> ec2.terminateInstances(ids));
                    rest.clear();
                } catch (ProviderException e) {
                    List<String> missing = "InvalidInstanceID.NotFound".equals(e.code())
                            ? Ec2Errors.notFoundIds(e.getMessage()) : List.of();
                    if (missing.isEmpty() || !rest.removeAll(missing)) {
                        throw e;
                    }
                    notVisible.addAll(missing);
                }
            }
        }
        if (!notVisible.isEmpty()) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, "InvalidInstanceID.NotFound",
                    "instances " + notVisible + " are not visible to EC2 yet (just launched) and were not terminated; "
                            + "release them again shortly");
        }
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
            return call.get();
        } catch (Ec2Error e) {
            throw new ProviderException(Ec2Errors.kindOf(e.code(), e.httpStatus()), e.code(),
                    what + ": " + e.getMessage() + " (simulated EC2)");
        } finally {
            clock.advance(latency.minus(half));
        }
    }

    static ProviderNode nodeOf(Ec2Instance i) {
        return new ProviderNode(i.instanceId(), i.tags().get(Ec2Tags.POOL), i.tags().get(Ec2Tags.ROLE),
                i.tags().get(Ec2Tags.TOKEN), i.amiLaunchIndex(), Ec2States.of(i.state().apiName()),
                i.privateIpAddress(), 22, i.launchTime(), i.stateReasonCode());
    }
}
